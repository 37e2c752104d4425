package dev.sparkrec.pipelines.bench;

import dev.ludovic.netlib.blas.BLAS;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code bench blas}: sgemm GFLOP/s of a few shapes on the active BLAS backend — square sizes and
 * the shapes of a CTR model's dense layers (batch 4096 through a 6000-wide input and 400-wide layers).
 */
public final class BlasBenchmark implements BenchSuite {

  private static final int[][] SHAPES = {
      {256, 256, 256},
      {512, 512, 512},
      {1024, 1024, 1024},
      {4096, 400, 6000},
      {4096, 400, 400},
  };

  @Override
  public String name() {
    return "blas";
  }

  @Override
  public String description() {
    return "sgemm GFLOP/s of square and CTR-layer shapes on the active BLAS backend";
  }

  @Override
  public void run(BenchContext context, BenchReport report) {
    BLAS blas = SgemmTimer.backend();
    for (int[] shape : SHAPES) {
      int m = shape[0];
      int n = shape[1];
      int k = context.quick() ? Math.min(shape[2], 512) : shape[2];
      report.measure("sgemm-" + m + "x" + n + "x" + k, () -> {
        SgemmTimer.Timing t = SgemmTimer.time(blas, m, n, k, context.quick() ? 1 : 5, context.quick() ? 0.0 : 1.0);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("m", m);
        row.put("n", n);
        row.put("k", k);
        row.put("reps", t.reps);
        row.put("median_seconds", t.medianSeconds);
        row.put("gflops", t.gflops());
        return row;
      });
    }
  }
}
