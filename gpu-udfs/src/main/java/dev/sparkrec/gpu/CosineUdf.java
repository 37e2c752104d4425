package dev.sparkrec.gpu;

import dev.sparkrec.ml.ArrayFunctions;
import org.apache.spark.sql.api.java.UDF2;
import scala.collection.Seq;

/** {@code sparkrec_cosine(a, b)}: {@code Σ a_j b_j / (‖a‖ ‖b‖)}, NaN when either is all zeros. CPU. */
public class CosineUdf implements UDF2<Seq<Float>, Seq<Float>, Float> {

  private static final long serialVersionUID = 1L;

  @Override
  public Float call(Seq<Float> a, Seq<Float> b) {
    return FloatArrays.cosine(ArrayFunctions.COSINE, a, b);
  }
}
