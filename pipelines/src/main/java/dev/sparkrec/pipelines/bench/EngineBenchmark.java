package dev.sparkrec.pipelines.bench;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.layers.Linear;
import dev.sparkrec.nn.ops.BceWithLogits;
import dev.sparkrec.nn.ops.Relu;
import dev.sparkrec.nn.optim.Optimizer;
import dev.sparkrec.nn.optim.Optimizers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code bench engine}: how close SparkRec's training step comes to the machine's own sgemm.
 *
 * <p>Trains an MLP shaped like AFN's dense part (input 6000 → 400 → 400 → 400 → 1, ReLU, batch 4096,
 * binary cross-entropy, Adam) for a few hundred steps, and in the same run times raw sgemm calls of
 * exactly the shapes one step performs (forward {@code X·W}, backward {@code Xᵀ·dY} for every layer and
 * {@code dY·Wᵀ} for all but the first, whose input needs no gradient) on the same BLAS backend. Both are
 * reported in GFLOP/s over the same FLOP count (2·m·n·k per product, forward + backward);
 * efficiency = training GFLOP/s ÷ sgemm GFLOP/s. Medians over steps.
 */
public final class EngineBenchmark implements BenchSuite {

  static final int BATCH = 4096;
  static final int[] LAYERS = {6000, 400, 400, 400, 1};

  @Override
  public String name() {
    return "engine";
  }

  @Override
  public String description() {
    return "MLP 6000-400-400-400-1 training steps vs raw sgemm of the same shapes";
  }

  @Override
  public void run(BenchContext context, BenchReport report) {
    int steps = context.quick() ? 3 : 200;
    int warmup = context.quick() ? 1 : 5;
    double flops = stepFlops();
    Map<String, Object> sgemm = report.measure("sgemm-same-shapes", () -> {
      double seconds = medianSgemmStepSeconds(Math.max(3, steps / 10), warmup);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("gflops", flops / seconds / 1e9);
      row.put("median_step_seconds", seconds);
      row.put("gflop_per_step", flops / 1e9);
      return row;
    });
    report.measure("sparkrec-train-step", () -> {
      double[] result = medianTrainStepSeconds(steps, warmup);
      double gflops = flops / result[0] / 1e9;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("gflops", gflops);
      Object reference = sgemm.get("gflops");
      if (reference instanceof Double) {
        row.put("efficiency", gflops / (Double) reference);
      }
      row.put("median_step_seconds", result[0]);
      row.put("steps", steps);
      row.put("final_loss", result[1]);
      return row;
    });
  }

  /** The step's products for {@link SgemmTimer}: every layer, the first without an input gradient. */
  static int[][] products() {
    int[][] products = new int[LAYERS.length - 1][];
    for (int l = 0; l + 1 < LAYERS.length; l++) {
      products[l] = new int[] {BATCH, LAYERS[l + 1], LAYERS[l], l > 0 ? 1 : 0};
    }
    return products;
  }

  /** FLOPs of one training step: 2·m·n·k for every product the step performs. */
  static double stepFlops() {
    return SgemmTimer.stepFlops(products());
  }

  /** Median seconds of the bare sgemm sequence of one step, on preallocated arrays. */
  static double medianSgemmStepSeconds(int reps, int warmup) {
    return SgemmTimer.medianStepSeconds(SgemmTimer.backend(), products(), reps, warmup);
  }

  /** Median seconds of a full training step (forward, backward, Adam) and the final loss. */
  static double[] medianTrainStepSeconds(int steps, int warmup) {
    SplittableRandom random = new SplittableRandom(2);
    Tensor input = Tensor.constant(randomArray(random, BATCH * LAYERS[0]), BATCH, LAYERS[0]);
    float[] labels = new float[BATCH];
    for (int i = 0; i < BATCH; i++) {
      labels[i] = random.nextBoolean() ? 1f : 0f;
    }
    List<Linear> layers = new ArrayList<>();
    List<Parameter> parameters = new ArrayList<>();
    for (int l = 0; l + 1 < LAYERS.length; l++) {
      Linear layer = new Linear("dense" + l, LAYERS[l], LAYERS[l + 1], 100 + l);
      layers.add(layer);
      parameters.addAll(layer.parameters());
    }
    Optimizer adam = Optimizers.create("adam", 1e-3);
    Tape tape = new Tape();
    double[] times = new double[steps];
    float loss = Float.NaN;
    for (int s = -warmup; s < steps; s++) {
      long start = System.nanoTime();
      tape.reset();
      Tensor h = input;
      for (int l = 0; l < layers.size(); l++) {
        h = layers.get(l).forward(tape, h);
        if (l + 1 < layers.size()) {
          h = Relu.apply(tape, h);
        }
      }
      Tensor lossTensor = BceWithLogits.apply(tape, h, labels, null);
      tape.backward(lossTensor);
      adam.step(parameters);
      loss = lossTensor.item();
      if (s >= 0) {
        times[s] = (System.nanoTime() - start) / 1e9;
      }
    }
    return new double[] {median(times), loss};
  }

  private static float[] randomArray(SplittableRandom random, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) random.nextDouble(-0.05, 0.05);
    }
    return a;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
