package dev.sparkrec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/** Compares two evaluators' uid and params (set, defined and value). */
final class EvaluatorParamsAssert {

  private EvaluatorParamsAssert() {}

  static void assertSameParams(Params expected, Params actual) {
    assertEquals(expected.getClass(), actual.getClass());
    assertEquals(expected.uid(), actual.uid());
    assertEquals(expected.params().length, actual.params().length);
    for (Param<?> param : expected.params()) {
      Param<?> other = actual.getParam(param.name());
      assertEquals(expected.isSet(param), actual.isSet(other), "set: " + param.name());
      assertEquals(expected.isDefined(param), actual.isDefined(other), "defined: " + param.name());
      if (expected.isDefined(param)) {
        assertEquals(expected.getOrDefault(param), actual.getOrDefault(other), "value: " + param.name());
      }
    }
  }
}
