package dev.sparkrec.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.apache.spark.ml.feature.Binarizer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.junit.jupiter.api.Test;

/** The accessor check on MLlib stages: one that has every accessor, and a model that lacks setters. */
class ParamAccessorsTest {

  @Test
  void stageWithEveryAccessorPasses() {
    Binarizer binarizer = new Binarizer().setInputCol("x").setOutputCol("y").setThreshold(0.3);
    assertEquals(List.of(), ParamAccessors.check(binarizer, true, Set.of()));
  }

  @Test
  void missingSetterIsNamedUnlessReadOnlyOrAModel() {
    StringIndexerModel model = new StringIndexerModel(new String[] {"a", "b"}).setInputCol("x").setOutputCol("y");
    List<String> problems = ParamAccessors.check(model, true, Set.of());
    assertTrue(problems.contains("StringIndexerModel.stringOrderType: no public setStringOrderType(value)"),
        String.valueOf(problems));
    assertEquals(List.of(), ParamAccessors.check(model, true, Set.of("stringOrderType")));
    assertEquals(List.of(), ParamAccessors.check(model, false, Set.of()));
  }
}
