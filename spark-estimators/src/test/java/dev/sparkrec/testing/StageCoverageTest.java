package dev.sparkrec.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.ml.PipelineStage;
import org.junit.jupiter.api.Test;

/**
 * Every public, concrete {@link PipelineStage} of the library has a {@link StageContract} test.
 *
 * <p>The library's stages are found by scanning its compiled main classes; the covered ones by asking every
 * concrete {@link StageContract} in the test classes for {@link StageContract#coveredStages()}. A model counts as
 * covered when the contract of the estimator that fits it exists.
 */
class StageCoverageTest {

  @Test
  void everyStageHasAContractTest() throws Exception {
    ClassLoader loader = getClass().getClassLoader();
    Path testClasses = StageClasses.rootOf(StageContract.class);
    List<Class<?>> stages = new ArrayList<>();
    for (Path root : StageClasses.rootsOfPackage(loader)) {
      if (!root.equals(testClasses)) {
        stages.addAll(StageClasses.concreteSubclasses(root, PipelineStage.class, loader));
      }
    }
    stages.removeIf(stage -> !Modifier.isPublic(stage.getModifiers()));
    assertFalse(stages.isEmpty(), "no PipelineStage found in the library's classes: the scan is broken");

    Set<Class<?>> covered = new LinkedHashSet<>();
    for (Class<?> contract : StageClasses.concreteSubclasses(testClasses, StageContract.class, loader)) {
      Constructor<?> constructor = contract.getDeclaredConstructor();
      constructor.setAccessible(true);
      covered.addAll(((StageContract) constructor.newInstance()).coveredStages());
    }

    List<String> missing = stages.stream().filter(stage -> !covered.contains(stage)).map(Class::getName).toList();
    assertTrue(missing.isEmpty(), "stages without a StageContract test (a test class extending "
        + "dev.sparkrec.testing.StageContract whose newStage() returns the stage, or the estimator that fits "
        + "the model):\n  " + String.join("\n  ", missing));
  }
}
