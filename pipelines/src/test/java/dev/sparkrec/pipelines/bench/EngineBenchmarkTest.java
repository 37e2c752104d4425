package dev.sparkrec.pipelines.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EngineBenchmarkTest {

  @Test
  void stepFlopsCountForwardAndBackwardProducts() {
    // 6000→400: X·W and Xᵀ·dY (the input needs no gradient); 400→400 twice and 400→1: three products each.
    double big = 4096.0 * 6000 * 400;
    double middle = 4096.0 * 400 * 400;
    double last = 4096.0 * 400 * 1;
    assertEquals(2 * (2 * big + 3 * middle * 2 + 3 * last), EngineBenchmark.stepFlops(), 0.0);
    assertEquals(47_195_750_400.0, EngineBenchmark.stepFlops(), 0.0);
  }
}
