package dev.sparkrec.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ParameterValues: copies out by name in order, copies in all or nothing, errors name the parameter. */
class ParameterValuesTest {

  private static List<Parameter> parameters() {
    Parameter weight = Parameter.dense("w", 2, 2);
    Parameter bias = Parameter.dense("b", 2);
    Initializers.constant(weight, 3f);
    return List.of(weight, bias);
  }

  @Test
  void copiesOutAndBackIn() {
    List<Parameter> source = parameters();
    Map<String, float[]> values = ParameterValues.copyOf(source);
    assertEquals(List.of("w", "b"), List.copyOf(values.keySet()));
    values.get("b")[1] = 7f;
    assertEquals(0f, source.get(1).data()[1], "the map holds copies");

    List<Parameter> target = List.of(Parameter.dense("w", 2, 2), Parameter.dense("b", 2));
    ParameterValues.copyInto(target, values);
    assertArrayEquals(new float[] {3, 3, 3, 3}, target.get(0).data());
    assertArrayEquals(new float[] {0, 7}, target.get(1).data());
  }

  @Test
  void aMissingUnknownOrMisSizedParameterIsNamedAndNothingIsCopied() {
    List<Parameter> target = List.of(Parameter.dense("w", 2, 2), Parameter.dense("b", 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ParameterValues.copyInto(target, Map.of("w", new float[] {1, 1, 1, 1})));
    assertTrue(e.getMessage().startsWith("missing value for parameter b (2 floats)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ParameterValues.copyInto(target, Map.of("w", new float[] {1, 1, 1, 1}, "b", new float[3])));
    assertTrue(e.getMessage().startsWith("parameter b of shape [2] needs 2 floats, got 3"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ParameterValues.copyInto(target,
        Map.of("w", new float[] {1, 1, 1, 1}, "b", new float[2], "extra", new float[1])));
    assertTrue(e.getMessage().startsWith("unknown parameter names [extra]"), e.getMessage());
    assertArrayEquals(new float[4], target.get(0).data(), "nothing copied");
  }
}
