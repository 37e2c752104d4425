package dev.sparkrec.gpu;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF3;

/** The CPU classes: usable everywhere, chosen where no GPU set is. */
public final class CpuUdfSet implements UdfSet {

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public int preference() {
    return 0;
  }

  @Override
  public boolean usableIn(SparkSession spark) {
    return true;
  }

  @Override
  public UDF2<?, ?, ?> dot() {
    return new DotUdf();
  }

  @Override
  public UDF3<?, ?, ?, ?> scaledDot() {
    return new ScaledDotUdf();
  }

  @Override
  public UDF3<?, ?, ?, ?> weightedL1() {
    return new WeightedL1Udf();
  }

  @Override
  public UDF2<?, ?, ?> cosine() {
    return new CosineUdf();
  }
}
