package dev.sparkrec.pipelines.bench;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.CausalSoftmaxAttention;
import dev.sparkrec.nn.ops.LightningAttention;
import dev.sparkrec.nn.ops.Sum;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code bench seq-scaling}: forward + backward seconds of one sequence's attention as the sequence grows, lightning
 * attention (blocks of 64, 128 and 256) against causal softmax attention, same heads and head width, same run, one
 * thread. Each row is a (system, n) with the median of its repetitions and {@code seconds_over_1k}, its time over the
 * same system's at n = 1024: linear cost gives 16 at n = 16384, quadratic 256. Softmax attention runs up to
 * {@value #SOFTMAX_MAX} positions: beyond it, its attention weights (heads·n²/2 floats) and O(n²d) time leave the
 * budget of this suite.
 */
public final class SeqScalingBenchmark implements BenchSuite {

  static final int[] LENGTHS = {512, 1024, 2048, 4096, 8192, 16384};
  static final int[] BLOCKS = {64, 128, 256};
  static final int HEADS = 4;
  static final int HEAD_DIM = 32;
  static final int SOFTMAX_MAX = 8192;
  private static final long SEED = 17;

  @Override
  public String name() {
    return "seq-scaling";
  }

  @Override
  public String description() {
    return "forward+backward seconds per sequence vs length: lightning attention (blocks 64/128/256) and softmax";
  }

  @Override
  public void run(BenchContext context, BenchReport report) {
    int[] lengths = context.quick() ? new int[] {512, 1024} : LENGTHS;
    for (int block : BLOCKS) {
      double[] decays = LightningAttention.decays(HEADS, 0, 1);
      measure(report, "lightning-b" + block, lengths, Integer.MAX_VALUE, context.quick(),
          (tape, q, k, v) -> LightningAttention.apply(tape, q, k, v, decays, block), Map.of("block_size", block,
              "decays", Arrays.toString(decays)));
    }
    measure(report, "softmax", lengths, SOFTMAX_MAX, context.quick(), CausalSoftmaxAttention::apply,
        Map.of("scale", "1/sqrt(d)"));
  }

  /** An attention op of q, k, v {@code [heads, n, d]}. */
  @FunctionalInterface
  interface Attention {
    Tensor apply(Tape tape, Tensor q, Tensor k, Tensor v);
  }

  private static void measure(BenchReport report, String system, int[] lengths, int maxLength, boolean quick,
      Attention attention, Map<String, Object> config) {
    double[] seconds = new double[lengths.length];
    for (int i = 0; i < lengths.length; i++) {
      int n = lengths[i];
      if (n > maxLength) {
        continue;
      }
      int at = i;
      report.measure(system, () -> {
        int reps = quick ? 1 : (n <= 4096 ? 5 : 3);
        double median = time(attention, n, reps);
        seconds[at] = median;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("n", n);
        row.put("seconds", median);
        double at1k = secondsAt(lengths, seconds, 1024);
        if (at1k > 0) {
          row.put("seconds_over_1k", median / at1k);
        }
        row.put("reps", reps);
        Map<String, Object> c = new LinkedHashMap<>(config);
        c.put("heads", HEADS);
        c.put("head_dim", HEAD_DIM);
        c.put("measured", "median wall seconds of forward + backward (loss = sum of outputs) of one sequence, one "
            + "thread, after one untimed run");
        row.put("config", c);
        return row;
      });
    }
  }

  private static double secondsAt(int[] lengths, double[] seconds, int n) {
    for (int i = 0; i < lengths.length; i++) {
      if (lengths[i] == n) {
        return seconds[i];
      }
    }
    return 0;
  }

  private static double time(Attention attention, int n, int reps) {
    Tensor q = random(n, 1);
    Tensor k = random(n, 2);
    Tensor v = random(n, 3);
    double[] seconds = new double[reps];
    for (int r = -1; r < reps; r++) { // r = -1 warms up
      clear(q, k, v);
      long start = System.nanoTime();
      Tape tape = new Tape();
      tape.backward(Sum.apply(tape, attention.apply(tape, q, k, v)));
      if (r >= 0) {
        seconds[r] = (System.nanoTime() - start) / 1e9;
      }
    }
    Arrays.sort(seconds);
    return seconds[reps / 2];
  }

  private static Tensor random(int n, long stream) {
    SplittableRandom random = new SplittableRandom(SEED * 31 + stream);
    float[] data = new float[HEADS * n * HEAD_DIM];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) random.nextDouble(-0.5, 0.5);
    }
    return Tensor.variable(data, HEADS, n, HEAD_DIM);
  }

  private static void clear(Tensor... tensors) {
    for (Tensor t : tensors) {
      Arrays.fill(t.grad(), 0f);
    }
  }
}
