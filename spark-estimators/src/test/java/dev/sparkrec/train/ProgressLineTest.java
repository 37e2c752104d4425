package dev.sparkrec.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The logged epoch line. */
class ProgressLineTest {

  @Test
  void formatsAnEpochWithValidation() {
    EpochReport r = new EpochReport(3, 0.41234, 0.39901, 0.81234, 1.5, 123_456, 0.05, true);
    assertEquals("epoch 3/20  train loss 0.4123  val logloss 0.3990  val auc 0.8123  1.2e5 examples/s  ETA 1m20s",
        ProgressLine.format(r, 20, 80, true));
    assertEquals("epoch 3/3  train loss 0.4123  1.2e5 examples/s", ProgressLine.format(r, 3, 0, false));
  }

  @Test
  void numbersAndDurations() {
    assertEquals("1.0e6", ProgressLine.scientific(999_999));
    assertEquals("5.0e0", ProgressLine.scientific(5));
    assertEquals("45s", ProgressLine.duration(45));
    assertEquals("1m20s", ProgressLine.duration(80));
    assertEquals("2h03m", ProgressLine.duration(7380));
  }
}
