package dev.sparkrec.gpu;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF3;

/**
 * The GPU twins (each a CPU class that also implements {@code com.nvidia.spark.RapidsUDF}): usable when the RAPIDS
 * plugin jar is on the classpath and the session runs the plugin ({@link RapidsAccelerator#isActive}). The twins are
 * named here only as strings, so this class loads on a classpath without the plugin.
 */
public final class GpuUdfSet implements UdfSet {

  private static final String PACKAGE = "dev.sparkrec.gpu.";

  @Override
  public String name() {
    return "gpu";
  }

  @Override
  public int preference() {
    return 1;
  }

  @Override
  public boolean usableIn(SparkSession spark) {
    return RapidsAccelerator.isActive(spark);
  }

  @Override
  public UDF2<?, ?, ?> dot() {
    return (UDF2<?, ?, ?>) load("GpuDotUdf");
  }

  @Override
  public UDF3<?, ?, ?, ?> scaledDot() {
    return (UDF3<?, ?, ?, ?>) load("GpuScaledDotUdf");
  }

  @Override
  public UDF3<?, ?, ?, ?> weightedL1() {
    return (UDF3<?, ?, ?, ?>) load("GpuWeightedL1Udf");
  }

  @Override
  public UDF2<?, ?, ?> cosine() {
    return (UDF2<?, ?, ?>) load("GpuCosineUdf");
  }

  private static Object load(String simpleName) {
    try {
      return Class.forName(PACKAGE + simpleName, true, GpuUdfSet.class.getClassLoader())
          .getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new IllegalStateException("cannot load the GPU UDF " + simpleName + " (is the rapids-4-spark jar on the "
          + "classpath?)", e);
    }
  }
}
