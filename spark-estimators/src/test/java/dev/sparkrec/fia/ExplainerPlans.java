package dev.sparkrec.fia;

import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * Runs an explainer's {@code transform} under each of its two plans: the broadcast plan ({@link BroadcastExplanations},
 * chosen for training ratings under {@code spark.sql.autoBroadcastJoinThreshold}, as the tests' data are) and the
 * grouped plan ({@link GroupedExplanations}, chosen when the threshold is -1).
 */
final class ExplainerPlans {

  static final String THRESHOLD = "spark.sql.autoBroadcastJoinThreshold";

  private ExplainerPlans() {}

  /** {@code body} with the broadcast plan off: the threshold -1 while it runs, restored after. */
  static <T> T grouped(SparkSession spark, Supplier<T> body) {
    String before = spark.conf().get(THRESHOLD);
    spark.conf().set(THRESHOLD, "-1");
    try {
      return body.get();
    } finally {
      spark.conf().set(THRESHOLD, before);
    }
  }
}
