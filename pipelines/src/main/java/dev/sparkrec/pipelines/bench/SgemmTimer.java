package dev.sparkrec.pipelines.bench;

import dev.ludovic.netlib.blas.BLAS;
import dev.sparkrec.nn.Gemm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Times single-precision GEMM ({@code C = A·B}, column-major, no transposes) of one shape on a BLAS
 * backend and reports the median GFLOP/s over repeated calls — the physical reference other
 * benchmarks divide by.
 */
public final class SgemmTimer {

  private SgemmTimer() {}

  /** The backend SparkRec's dense kernels use: native when installed, else the best Java one. */
  public static BLAS backend() {
    return BLAS.getInstance();
  }

  /** The backend's class name, as benchmark JSON records it. */
  public static String backendName() {
    return backend().getClass().getName();
  }

  /** Result of timing one shape. */
  public static final class Timing {
    public final int m;
    public final int n;
    public final int k;
    public final int reps;
    public final double medianSeconds;

    Timing(int m, int n, int k, int reps, double medianSeconds) {
      this.m = m;
      this.n = n;
      this.k = k;
      this.reps = reps;
      this.medianSeconds = medianSeconds;
    }

    /** 2·m·n·k floating-point operations per call divided by the median call time. */
    public double gflops() {
      return 2.0 * m * n * k / medianSeconds / 1e9;
    }
  }

  /**
   * Times {@code C[m×n] = A[m×k]·B[k×n]} after one warm-up call, repeating until both
   * {@code minReps} calls and {@code minSeconds} of timed work are done.
   */
  public static Timing time(BLAS blas, int m, int n, int k, int minReps, double minSeconds) {
    SplittableRandom random = new SplittableRandom(42);
    float[] a = new float[m * k];
    float[] b = new float[k * n];
    float[] c = new float[m * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) random.nextDouble(-1, 1);
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) random.nextDouble(-1, 1);
    }
    blas.sgemm("N", "N", m, n, k, 1f, a, m, b, k, 0f, c, m);
    double[] seconds = new double[Math.max(minReps, 1) * 64];
    int reps = 0;
    double total = 0;
    while ((reps < minReps || total < minSeconds) && reps < seconds.length) {
      long start = System.nanoTime();
      blas.sgemm("N", "N", m, n, k, 1f, a, m, b, k, 0f, c, m);
      double s = (System.nanoTime() - start) / 1e9;
      seconds[reps++] = s;
      total += s;
    }
    double[] taken = Arrays.copyOf(seconds, reps);
    Arrays.sort(taken);
    double median = reps % 2 == 1 ? taken[reps / 2] : (taken[reps / 2 - 1] + taken[reps / 2]) / 2;
    return new Timing(m, n, k, reps, median);
  }

  /**
   * One training step's products, each {@code {m, n, k, inputGrad}}: the forward {@code X[m×k]·W[k×n]}, the
   * weight gradient {@code Xᵀ·dY} and, when {@code inputGrad} is 1, the input gradient {@code dY·Wᵀ}.
   * Returns their FLOPs (2·m·n·k each).
   */
  public static double stepFlops(int[][] products) {
    double total = 0;
    for (int[] p : products) {
      double mnk = (double) p[0] * p[1] * p[2];
      total += 2 * mnk * (p[3] == 1 ? 3 : 2);
    }
    return total;
  }

  /** Median seconds of running {@code products} (see {@link #stepFlops}) as raw sgemm calls on preallocated arrays. */
  public static double medianStepSeconds(BLAS blas, int[][] products, int reps, int warmup) {
    return medianStepSeconds(blas, products, reps, warmup, 1);
  }

  /**
   * Median wall seconds of {@code threads} threads each running {@code products} once at the same time, each on
   * its own arrays: the machine's sgemm throughput with as many concurrent streams as a Spark job has task
   * slots is {@code threads · stepFlops / result}.
   */
  public static double medianStepSeconds(BLAS blas, int[][] products, int reps, int warmup, int threads) {
    if (threads < 1 || reps < 1) {
      throw new IllegalArgumentException("threads and reps must be >= 1, got " + threads + " and " + reps);
    }
    float[][][][] arrays = new float[threads][][][];
    for (int t = 0; t < threads; t++) {
      arrays[t] = stepArrays(products, new SplittableRandom(1 + t));
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      double[] times = new double[reps];
      for (int r = -warmup; r < reps; r++) {
        List<Future<?>> running = new ArrayList<>(threads);
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
          float[][][] own = arrays[t];
          running.add(pool.submit(() -> runStep(products, own)));
        }
        for (Future<?> f : running) {
          f.get();
        }
        if (r >= 0) {
          times[r] = (System.nanoTime() - start) / 1e9;
        }
      }
      Arrays.sort(times);
      return reps % 2 == 1 ? times[reps / 2] : (times[reps / 2 - 1] + times[reps / 2]) / 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while timing sgemm", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("sgemm timing failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static float[][][] stepArrays(int[][] products, SplittableRandom random) {
    float[][][] arrays = new float[products.length][][];
    for (int i = 0; i < products.length; i++) {
      int m = products[i][0];
      int n = products[i][1];
      int k = products[i][2];
      arrays[i] = new float[][] {random(random, m * k), random(random, k * n), random(random, m * n),
          new float[k * n], new float[m * k]};
    }
    return arrays;
  }

  /** One step's forward products, then in reverse order each weight gradient and, where asked, input gradient. */
  private static void runStep(int[][] products, float[][][] arrays) {
    for (int i = 0; i < products.length; i++) {
      int[] p = products[i];
      float[][] a = arrays[i];
      Gemm.gemm(false, false, p[0], p[1], p[2], 1f, a[0], a[1], 0f, a[2]);
    }
    for (int i = products.length - 1; i >= 0; i--) {
      int[] p = products[i];
      float[][] a = arrays[i];
      Gemm.gemm(true, false, p[2], p[1], p[0], 1f, a[0], a[2], 1f, a[3]);
      if (p[3] == 1) {
        Gemm.gemm(false, true, p[0], p[2], p[1], 1f, a[2], a[1], 0f, a[4]);
      }
    }
  }

  private static float[] random(SplittableRandom random, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) random.nextDouble(-0.05, 0.05);
    }
    return a;
  }
}
