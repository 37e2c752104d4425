package dev.sparkrec.nn.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparkrec.nn.Parameter;
import org.junit.jupiter.api.Test;

/** The search's α step: per-block normalised gradient of loss + l1·Σ|α|, SGD, clamp to [0, 1]. */
class SoftSelectionUpdateTest {

  @Test
  void normalisesEachBlockRowThenStepsAndClamps() {
    Parameter alpha = Parameter.dense("emb.alpha", 2, 2);
    alpha.data()[0] = 0.5f;
    alpha.data()[1] = 0.5f;
    alpha.data()[2] = 0.995f;
    alpha.data()[3] = 0.0f;
    // row 0: g = (1e-6, 3e-6), mean |g| = 2e-6 → normalised (0.5, 1.5); row 1: g = (-1, 1) → (-1, 1)
    alpha.grad()[0] = 1e-6f;
    alpha.grad()[1] = 3e-6f;
    alpha.grad()[2] = -1f;
    alpha.grad()[3] = 1f;
    new SoftSelectionUpdate(0.1, 0).apply(alpha);
    double mean = 2e-6 + 1e-8; // mean |g| plus the normaliser's 1e-8
    assertEquals(0.5 - 0.1 * 1e-6 / mean, alpha.data()[0], 1e-6);
    assertEquals(0.5 - 0.1 * 3e-6 / mean, alpha.data()[1], 1e-6);
    assertEquals(1.0, alpha.data()[2], 0, "clamped at 1");
    assertEquals(0.0, alpha.data()[3], 0, "clamped at 0");
    for (float g : alpha.grad()) {
      assertEquals(0f, g);
    }
  }

  @Test
  void theL1TermShrinksWeightsTheLossIgnores() {
    Parameter alpha = Parameter.dense("emb.alpha", 1, 2);
    alpha.data()[0] = 1f;
    alpha.data()[1] = 1f;
    alpha.grad()[0] = 0f; // no signal from the data: only l1·sign(α) = l1 remains, normalised to 1
    alpha.grad()[1] = 0f;
    new SoftSelectionUpdate(0.01, 1e-5).apply(alpha);
    double step = 0.01 * 1e-5 / (1e-5 + 1e-8);
    assertEquals(1 - step, alpha.data()[0], 1e-6);
    assertEquals(1 - step, alpha.data()[1], 1e-6);
  }

  @Test
  void rejectsBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> new SoftSelectionUpdate(0, 0));
    assertThrows(IllegalArgumentException.class, () -> new SoftSelectionUpdate(0.1, -1));
  }
}
