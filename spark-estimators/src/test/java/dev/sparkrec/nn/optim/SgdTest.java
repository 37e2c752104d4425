package dev.sparkrec.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparkrec.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Plain SGD on dense and sparse-row parameters. */
class SgdTest {

  @Test
  void denseUpdateIsThetaMinusLrTimesGradient() {
    Parameter w = Parameter.dense("w", 3);
    w.data()[0] = 1f;
    w.data()[1] = -2f;
    w.data()[2] = 0.5f;
    w.grad()[0] = 0.5f;
    w.grad()[1] = -1f;
    w.grad()[2] = 0f;
    new Sgd(0.5).step(List.of(w));
    // θ − 0.5·g: 1 − 0.25, −2 + 0.5, 0.5 − 0
    assertArrayEquals(new float[] {0.75f, -1.5f, 0.5f}, w.data());
    assertArrayEquals(new float[3], w.grad());
  }

  @Test
  void sparseUpdateMovesOnlyTouchedRows() {
    Parameter table = Parameter.sparseRows("emb", 3, 2);
    for (int i = 0; i < 6; i++) {
      table.data()[i] = i;
    }
    table.grad()[2] = 2f; // row 1
    table.grad()[3] = -4f;
    table.touchRow(1);
    table.grad()[4] = 8f; // row 2 holds a gradient but was not touched
    Sgd sgd = new Sgd(0.25);
    sgd.step(List.of(table));
    // row 1: (2, 3) − 0.25·(2, −4) = (1.5, 4); rows 0 and 2 unchanged
    assertArrayEquals(new float[] {0f, 1f, 1.5f, 4f, 4f, 5f}, table.data());
    assertEquals(0, table.touchedCount());
    assertEquals(List.of(), sgd.slots(table));
  }
}
