package dev.sparkrec.nn;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A model's parameter values by name, as the trainer hands them over and model persistence saves them: copied out
 * of a model's parameters ({@link #copyOf}) and into them ({@link #copyInto}).
 */
public final class ParameterValues {

  private ParameterValues() {}

  /**
   * Copies {@code values} into {@code parameters} by name. The map must hold exactly the parameters' names, each
   * with an array of the parameter's size; otherwise nothing is copied and the error names the missing, unknown
   * or mis-sized parameter.
   */
  public static void copyInto(List<Parameter> parameters, Map<String, float[]> values) {
    if (values == null) {
      throw new IllegalArgumentException("no parameter values to copy (null); the parameters are "
          + names(parameters));
    }
    Set<String> expected = new HashSet<>();
    for (Parameter p : parameters) {
      expected.add(p.name());
      float[] v = values.get(p.name());
      if (v == null) {
        throw new IllegalArgumentException("missing value for parameter " + p.name() + " (" + p.size()
            + " floats); the parameters are " + names(parameters));
      }
      if (v.length != p.size()) {
        throw new IllegalArgumentException("parameter " + p.name() + " of shape " + Arrays.toString(p.shape())
            + " needs " + p.size() + " floats, got " + v.length);
      }
    }
    Set<String> unknown = new TreeSet<>(values.keySet());
    unknown.removeAll(expected);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown parameter names " + unknown + " (were the values saved from a"
          + " model of another configuration?); the parameters are " + names(parameters));
    }
    for (Parameter p : parameters) {
      System.arraycopy(values.get(p.name()), 0, p.data(), 0, p.size());
    }
  }

  /** Copies of every parameter's values, keyed by name in list order. */
  public static Map<String, float[]> copyOf(List<Parameter> parameters) {
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
