package dev.sparkrec.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Early stopping, best epoch and learning-rate decay over scripted metric sequences. */
class PlateauScheduleTest {

  private static PlateauSchedule schedule(boolean higherIsBetter, int patience, int decayPatience, double minLr) {
    return new PlateauSchedule(higherIsBetter, TrainingConfig.builder().learningRate(0.1).patience(patience)
        .lrDecayPatience(decayPatience).lrDecayFactor(0.5).minLearningRate(minLr).build());
  }

  @Test
  void lowerIsBetterStopsAfterPatienceEpochsWithoutImprovement() {
    PlateauSchedule s = schedule(false, 2, 0, 0);
    assertTrue(s.update(1, 0.50));
    assertTrue(s.update(2, 0.40));
    assertFalse(s.update(3, 0.40)); // equal is not better
    assertFalse(s.stopped());
    assertFalse(s.update(4, 0.45));
    assertTrue(s.stopped());
    assertEquals(2, s.bestEpoch());
    assertEquals(0.40, s.bestMetric());
    assertEquals(0.1, s.learningRate()); // decay off
  }

  @Test
  void higherIsBetterForAuc() {
    PlateauSchedule s = schedule(true, 1, 0, 0);
    assertTrue(s.update(1, 0.70));
    assertTrue(s.update(2, 0.75));
    assertFalse(s.update(3, 0.74));
    assertTrue(s.stopped());
    assertEquals(2, s.bestEpoch());
  }

  @Test
  void decayHalvesTheRateEveryDecayPatienceEpochsWithoutImprovementDownToTheFloor() {
    PlateauSchedule s = schedule(false, 0, 2, 0.03);
    s.update(1, 1.0);
    s.update(2, 1.1);
    assertEquals(0.1, s.learningRate());
    s.update(3, 1.2); // 2 epochs without improvement: 0.1 → 0.05
    assertEquals(0.05, s.learningRate());
    s.update(4, 0.9); // improvement resets the counter
    s.update(5, 1.0);
    assertEquals(0.05, s.learningRate());
    s.update(6, 1.0); // 0.05 → max(0.025, 0.03)
    assertEquals(0.03, s.learningRate());
    s.update(7, 1.0);
    s.update(8, 1.0);
    assertEquals(0.03, s.learningRate());
    assertFalse(s.stopped()); // patience 0: never stops
    assertEquals(4, s.bestEpoch());
  }

  @Test
  void nanNeverImproves() {
    PlateauSchedule s = schedule(false, 2, 0, 0);
    assertFalse(s.update(1, Double.NaN));
    assertEquals(0, s.bestEpoch());
    assertTrue(s.update(2, 0.6));
    assertFalse(s.update(3, Double.NaN));
    assertFalse(s.update(4, Double.NaN));
    assertTrue(s.stopped());
    assertEquals(2, s.bestEpoch());
  }
}
