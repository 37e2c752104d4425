package dev.sparkrec.gpu;

import dev.sparkrec.ml.ArrayFunctions;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.types.DataTypes;

/**
 * Registers SparkRec's SQL functions over {@code array<float>} columns in a session:
 *
 * <ul>
 *   <li>{@code sparkrec_dot(a, b)}: {@code Σ a_j b_j} (MF and ALS scores);</li>
 *   <li>{@code sparkrec_scaled_dot(a, b, s)}: {@code s · Σ a_j b_j} (FIA influences; {@code s} a float);</li>
 *   <li>{@code sparkrec_weighted_l1(a, b, w)}: {@code Σ w_j |a_j − b_j|} (RESUS-NN's distance);</li>
 *   <li>{@code sparkrec_cosine(a, b)}: {@code Σ a_j b_j / (‖a‖ ‖b‖)}.</li>
 * </ul>
 *
 * <p>All return float, computed in double and rounded once. A null array, element or scale gives null; arrays of
 * different lengths are an error. Pass {@code array<float>} (not ML {@code Vector}s, which RAPIDS cannot take).
 *
 * <p>With the RAPIDS Accelerator (its jar on the classpath and {@code spark.plugins} naming its SQL plugin) the GPU
 * twins are registered, which keep a projection on the GPU ({@code com.nvidia.spark.RapidsUDF}) and run their CPU
 * code where the plan stays on the CPU (e.g. {@code spark.rapids.sql.enabled=false}); elsewhere the CPU classes.
 * The implementations are found through {@link ServiceLoader} ({@link UdfSet}). Once registered, SparkRec's batch
 * paths that are array arithmetic use them ({@link ArrayFunctions}).
 */
public final class SparkRecFunctions {

  private SparkRecFunctions() {}

  /** Registers the four functions in {@code spark}; returns the set registered ("gpu" or "cpu"). Idempotent. */
  public static String register(SparkSession spark) {
    UdfSet set = choose(spark);
    spark.udf().register(ArrayFunctions.DOT, (UDF2<?, ?, ?>) set.dot(), DataTypes.FloatType);
    spark.udf().register(ArrayFunctions.SCALED_DOT, (UDF3<?, ?, ?, ?>) set.scaledDot(), DataTypes.FloatType);
    spark.udf().register(ArrayFunctions.WEIGHTED_L1, (UDF3<?, ?, ?, ?>) set.weightedL1(), DataTypes.FloatType);
    spark.udf().register(ArrayFunctions.COSINE, (UDF2<?, ?, ?>) set.cosine(), DataTypes.FloatType);
    return set.name();
  }

  /** The names of the functions {@link #register} adds. */
  public static List<String> names() {
    return List.of(ArrayFunctions.DOT, ArrayFunctions.SCALED_DOT, ArrayFunctions.WEIGHTED_L1, ArrayFunctions.COSINE);
  }

  /** The usable {@link UdfSet} of highest preference among those the service loader finds. */
  static UdfSet choose(SparkSession spark) {
    UdfSet best = null;
    for (UdfSet set : available()) {
      if ((best == null || set.preference() > best.preference()) && set.usableIn(spark)) {
        best = set;
      }
    }
    if (best == null) {
      throw new IllegalStateException("no SparkRec UDF implementation found: META-INF/services/"
          + UdfSet.class.getName() + " is missing from the classpath");
    }
    return best;
  }

  /** Every {@link UdfSet} listed on the classpath. */
  static List<UdfSet> available() {
    List<UdfSet> sets = new ArrayList<>();
    ServiceLoader.load(UdfSet.class, SparkRecFunctions.class.getClassLoader()).forEach(sets::add);
    return sets;
  }
}
