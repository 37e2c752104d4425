package dev.sparkrec.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The optimizer factory used by training configurations. */
class OptimizersTest {

  @Test
  void createsEachOptimizerByNameIgnoringCase() {
    assertInstanceOf(Sgd.class, Optimizers.create("sgd", 0.1));
    Optimizer adam = Optimizers.create("Adam", 0.001);
    assertInstanceOf(Adam.class, adam);
    assertEquals(0.001, adam.learningRate());
    assertEquals(0.999, ((Adam) adam).beta2());
    Optimizer adagrad = Optimizers.create(" ADAGRAD ", 0.05);
    assertInstanceOf(Adagrad.class, adagrad);
    assertEquals(0.1, ((Adagrad) adagrad).initialAccumulator());
  }

  @Test
  void unknownNameListsTheAcceptedOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("rmsprop", 0.1));
    assertTrue(e.getMessage().contains("'rmsprop'") && e.getMessage().contains("sgd, adam, adagrad"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Optimizers.create(null, 0.1));
    assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adam", 0));
  }
}
