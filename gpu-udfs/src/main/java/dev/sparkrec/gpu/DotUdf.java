package dev.sparkrec.gpu;

import dev.sparkrec.ml.ArrayFunctions;
import org.apache.spark.sql.api.java.UDF2;
import scala.collection.Seq;

/** {@code sparkrec_dot(a, b)}: {@code Σ a_j b_j} over two {@code array<float>} columns (MF and ALS scores). CPU. */
public class DotUdf implements UDF2<Seq<Float>, Seq<Float>, Float> {

  private static final long serialVersionUID = 1L;

  @Override
  public Float call(Seq<Float> a, Seq<Float> b) {
    return FloatArrays.dot(ArrayFunctions.DOT, a, b);
  }
}
