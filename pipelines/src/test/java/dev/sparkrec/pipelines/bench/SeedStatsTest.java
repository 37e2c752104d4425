package dev.sparkrec.pipelines.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SeedStatsTest {

  @Test
  void meanMedianAndSampleStandardDeviationOfSeedFigures() {
    List<Double> values = List.of(0.9302, 0.9281, 0.9320);
    assertEquals((0.9302 + 0.9281 + 0.9320) / 3, SeedStats.mean(values), 1e-15);
    assertEquals(0.9302, SeedStats.median(values), 0.0);
    assertEquals(2.5, SeedStats.median(List.of(4.0, 1.0, 2.0, 3.0)), 0.0);
    // values 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, sample variance 32/7
    assertEquals(Math.sqrt(32.0 / 7), SeedStats.std(List.of(2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0)), 1e-12);
  }

  @Test
  void oneSeedHasNoSpreadAndNoneHasNoMedian() {
    assertTrue(Double.isNaN(SeedStats.std(List.of(0.93))));
    assertEquals(0.93, SeedStats.mean(List.of(0.93)), 0.0);
    assertTrue(Double.isNaN(SeedStats.median(List.of())));
  }
}
