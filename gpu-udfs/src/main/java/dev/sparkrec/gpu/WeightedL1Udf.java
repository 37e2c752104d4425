package dev.sparkrec.gpu;

import dev.sparkrec.ml.ArrayFunctions;
import org.apache.spark.sql.api.java.UDF3;
import scala.collection.Seq;

/**
 * {@code sparkrec_weighted_l1(a, b, w)}: {@code Σ w_j |a_j − b_j|} (RESUS-NN's learned distance between a query's
 * and a support row's encodings, {@code w} the weights of its linear layer). CPU.
 */
public class WeightedL1Udf implements UDF3<Seq<Float>, Seq<Float>, Seq<Float>, Float> {

  private static final long serialVersionUID = 1L;

  @Override
  public Float call(Seq<Float> a, Seq<Float> b, Seq<Float> weights) {
    return FloatArrays.weightedL1(ArrayFunctions.WEIGHTED_L1, a, b, weights);
  }
}
