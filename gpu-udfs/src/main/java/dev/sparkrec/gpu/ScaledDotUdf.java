package dev.sparkrec.gpu;

import dev.sparkrec.ml.ArrayFunctions;
import org.apache.spark.sql.api.java.UDF3;
import scala.collection.Seq;

/**
 * {@code sparkrec_scaled_dot(a, b, s)}: {@code s · Σ a_j b_j} (a FIA influence: a rating's scale times the dot
 * product of its gradient with the pair's solved vector). CPU.
 */
public class ScaledDotUdf implements UDF3<Seq<Float>, Seq<Float>, Float, Float> {

  private static final long serialVersionUID = 1L;

  @Override
  public Float call(Seq<Float> a, Seq<Float> b, Float scale) {
    return FloatArrays.scaledDot(ArrayFunctions.SCALED_DOT, a, b, scale);
  }
}
