package dev.sparkrec.fia;

import dev.sparkrec.nn.Parameter;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads and writes a network's parameters by name, as the trainer and model persistence hand them over. */
final class NetworkParameters {

  private NetworkParameters() {}

  /**
   * Copies {@code values} into {@code parameters}. The map must hold exactly their names, each with an array of the
   * parameter's size; otherwise nothing is copied and the error names the missing, unknown or mis-sized parameter.
   */
  static void copyInto(List<Parameter> parameters, Map<String, float[]> values) {
    Set<String> expected = new HashSet<>();
    for (Parameter p : parameters) {
      expected.add(p.name());
      float[] v = values.get(p.name());
      if (v == null) {
        throw new IllegalArgumentException("missing value for parameter " + p.name() + " (" + p.size()
            + " floats); the network's parameters are " + names(parameters));
      }
      if (v.length != p.size()) {
        throw new IllegalArgumentException("parameter " + p.name() + " of shape " + Arrays.toString(p.shape())
            + " needs " + p.size() + " floats, got " + v.length);
      }
    }
    Set<String> unknown = new TreeSet<>(values.keySet());
    unknown.removeAll(expected);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown parameter names " + unknown + "; the network's parameters are "
          + names(parameters));
    }
    for (Parameter p : parameters) {
      System.arraycopy(values.get(p.name()), 0, p.data(), 0, p.size());
    }
  }

  /** Copies of every parameter's values, keyed by name in list order. */
  static Map<String, float[]> values(List<Parameter> parameters) {
    Map<String, float[]> values = new LinkedHashMap<>();
    for (Parameter p : parameters) {
      values.put(p.name(), Arrays.copyOf(p.data(), p.size()));
    }
    return values;
  }

  private static List<String> names(List<Parameter> parameters) {
    return parameters.stream().map(Parameter::name).toList();
  }
}
