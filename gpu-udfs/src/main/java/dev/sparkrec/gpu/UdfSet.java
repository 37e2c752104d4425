package dev.sparkrec.gpu;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF3;

/**
 * One implementation of SparkRec's array functions, found through {@link java.util.ServiceLoader} (listed in
 * {@code META-INF/services/dev.sparkrec.gpu.UdfSet}), as XGBoost4J-Spark finds its GPU module.
 * {@link SparkRecFunctions#register} registers the usable set of highest {@link #preference()}.
 *
 * <p>An implementation must load on any classpath: it may name GPU classes only as strings and load them after
 * {@link #usableIn} said yes.
 */
public interface UdfSet {

  /** A short name for logs and tests, e.g. "cpu" or "gpu". */
  String name();

  /** Higher wins among the usable sets. */
  int preference();

  /** Whether this set can serve {@code spark}. */
  boolean usableIn(SparkSession spark);

  /** {@code sparkrec_dot}. */
  UDF2<?, ?, ?> dot();

  /** {@code sparkrec_scaled_dot}. */
  UDF3<?, ?, ?, ?> scaledDot();

  /** {@code sparkrec_weighted_l1}. */
  UDF3<?, ?, ?, ?> weightedL1();

  /** {@code sparkrec_cosine}. */
  UDF2<?, ?, ?> cosine();
}
