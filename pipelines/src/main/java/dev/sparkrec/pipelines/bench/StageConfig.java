package dev.sparkrec.pipelines.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/** The configuration a benchmark row records: every param of a stage with the value it ran with. */
public final class StageConfig {

  private StageConfig() {}

  /** Every defined param of {@code stage} by name (defaults included, sorted), arrays as lists. */
  public static Map<String, Object> of(Params stage) {
    Map<String, Object> config = new TreeMap<>();
    for (Param<?> p : stage.params()) {
      if (stage.isDefined(p)) {
        Object v = stage.getOrDefault(p);
        if (v instanceof int[] ints) {
          v = Arrays.stream(ints).boxed().toList();
        } else if (v instanceof double[] doubles) {
          v = Arrays.stream(doubles).boxed().toList();
        } else if (v instanceof String[] strings) {
          v = Arrays.asList(strings);
        }
        config.put(p.name(), v);
      }
    }
    return config;
  }
}
