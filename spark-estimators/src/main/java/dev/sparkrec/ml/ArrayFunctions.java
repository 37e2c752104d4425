package dev.sparkrec.ml;

import org.apache.spark.sql.SparkSession;

/**
 * The names of SparkRec's SQL functions over {@code array<float>} columns, and whether a session has them.
 *
 * <p>The functions live in the {@code gpu-udfs} module ({@code dev.sparkrec.gpu.SparkRecFunctions.register}), with a
 * RAPIDS GPU twin for each. Once a session has them, the batch paths whose work is array arithmetic (MF and ALS top-k
 * scoring, the explainer's recommendation step) run as Spark SQL over these functions, so that on a RAPIDS cluster
 * they stay on the GPU; without them those paths run in the JVM. Both give the same results.
 */
public final class ArrayFunctions {

  /** {@code sparkrec_dot(a, b) → float}: {@code Σ a_j b_j}. */
  public static final String DOT = "sparkrec_dot";
  /** {@code sparkrec_scaled_dot(a, b, s) → float}: {@code s · Σ a_j b_j}. */
  public static final String SCALED_DOT = "sparkrec_scaled_dot";
  /** {@code sparkrec_weighted_l1(a, b, w) → float}: {@code Σ w_j |a_j − b_j|}. */
  public static final String WEIGHTED_L1 = "sparkrec_weighted_l1";
  /** {@code sparkrec_cosine(a, b) → float}: {@code Σ a_j b_j / (‖a‖ ‖b‖)}. */
  public static final String COSINE = "sparkrec_cosine";

  private ArrayFunctions() {}

  /** Whether {@code spark} has SparkRec's array functions registered (checked by {@link #DOT}). */
  public static boolean registered(SparkSession spark) {
    return spark.catalog().functionExists(DOT);
  }
}
