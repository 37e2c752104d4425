package dev.sparkrec.nn.ops;

import static dev.sparkrec.nn.GradientCheck.assertGradients;
import static dev.sparkrec.nn.GradientCheck.randomVariable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Ops over sequences stored back to back: segmented lightning and softmax attention equal the ops on each sequence
 * alone (empty sequences and lengths that are not multiples of the block size included), target-attention pooling
 * and the segment mean match hand-computed values, and all pass the gradient check.
 */
class SegmentOpsTest {

  private static final int[] OFFSETS = {0, 5, 5, 6, 13};

  /** Rows {@code [from, to)} of {@code t} as a constant. */
  private static Tensor rows(Tensor t, int from, int to) {
    int c = t.cols();
    return Tensor.constant(Arrays.copyOfRange(t.data(), from * c, to * c), to - from, c);
  }

  @Test
  void segmentedLightningAttentionEqualsEachSequenceAlone() {
    int heads = 2;
    int d = 3;
    int total = OFFSETS[OFFSETS.length - 1];
    Tensor q = randomVariable(1, -1, 1, total, heads * d);
    Tensor k = randomVariable(2, -1, 1, total, heads * d);
    Tensor v = randomVariable(3, -1, 1, total, heads * d);
    double[] decays = {0.5, 0.9};
    float[] together = LightningAttention.applySegments(new Tape(), q, k, v, decays, 3, OFFSETS).toArray();
    for (int s = 0; s + 1 < OFFSETS.length; s++) {
      int from = OFFSETS[s];
      int to = OFFSETS[s + 1];
      if (from == to) {
        continue;
      }
      float[] alone = LightningAttention.applyTokenMajor(new Tape(), rows(q, from, to), rows(k, from, to),
          rows(v, from, to), decays, 3).toArray();
      assertArrayEquals(alone, Arrays.copyOfRange(together, from * heads * d, to * heads * d), 1e-6f);
    }
    assertGradients(t -> LightningAttention.applySegments(t, q, k, v, decays, 3, OFFSETS), Input.of("q", q),
        Input.of("k", k), Input.of("v", v));
  }

  @Test
  void segmentedSoftmaxAttentionEqualsEachSequenceAlone() {
    int heads = 2;
    int d = 2;
    int total = OFFSETS[OFFSETS.length - 1];
    Tensor q = randomVariable(4, -1, 1, total, heads * d);
    Tensor k = randomVariable(5, -1, 1, total, heads * d);
    Tensor v = randomVariable(6, -1, 1, total, heads * d);
    float[] together = CausalSoftmaxAttention.applySegments(new Tape(), q, k, v, heads, OFFSETS).toArray();
    for (int s = 0; s + 1 < OFFSETS.length; s++) {
      int from = OFFSETS[s];
      int n = OFFSETS[s + 1] - from;
      if (n == 0) {
        continue;
      }
      Tensor[] headMajor = new Tensor[3];
      Tensor[] inputs = {q, k, v};
      for (int i = 0; i < 3; i++) {
        float[] data = new float[heads * n * d];
        for (int t = 0; t < n; t++) {
          for (int h = 0; h < heads; h++) {
            for (int c = 0; c < d; c++) {
              data[(h * n + t) * d + c] = inputs[i].data()[((from + t) * heads + h) * d + c];
            }
          }
        }
        headMajor[i] = Tensor.constant(data, heads, n, d);
      }
      float[] alone = CausalSoftmaxAttention.apply(new Tape(), headMajor[0], headMajor[1], headMajor[2]).toArray();
      for (int t = 0; t < n; t++) {
        for (int h = 0; h < heads; h++) {
          for (int c = 0; c < d; c++) {
            assertEquals(alone[(h * n + t) * d + c], together[((from + t) * heads + h) * d + c], 1e-6f);
          }
        }
      }
    }
    assertGradients(t -> CausalSoftmaxAttention.applySegments(t, q, k, v, heads, OFFSETS), Input.of("q", q),
        Input.of("k", k), Input.of("v", v));
  }

  @Test
  void targetAttentionPoolingMatchesHandComputedValues() {
    // one segment of two tokens [1, 0] and [0, 2] under query [2, 0] (d = 2): scores 2/√2 and 0
    Tensor h = Tensor.constant(new float[] {1, 0, 0, 2}, 2, 2);
    Tensor q = Tensor.constant(new float[] {2, 0, 5, 5}, 2, 2);
    float[] pooled = SegmentAttentionPool.apply(new Tape(), h, q, new int[] {0, 2, 2}).toArray();
    double e = Math.exp(2 / Math.sqrt(2));
    double p0 = e / (e + 1);
    assertArrayEquals(new float[] {(float) p0, (float) (2 * (1 - p0)), 0, 0}, pooled, 1e-6f);
  }

  @Test
  void targetAttentionPoolingPassesTheGradientCheck() {
    int total = OFFSETS[OFFSETS.length - 1];
    Tensor h = randomVariable(7, -1, 1, total, 3);
    Tensor q = randomVariable(8, -2, 2, OFFSETS.length - 1, 3);
    assertGradients(t -> SegmentAttentionPool.apply(t, h, q, OFFSETS), Input.of("h", h), Input.of("q", q));
  }

  @Test
  void segmentMeanAveragesEachSegmentAndGivesZeroForAnEmptyOne() {
    Tensor h = Tensor.constant(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
    assertArrayEquals(new float[] {0, 0, 2, 3, 5, 6}, SegmentMean.apply(new Tape(), h, new int[] {0, 0, 2, 3})
        .toArray(), 1e-6f);
    Tensor x = randomVariable(9, -1, 1, OFFSETS[OFFSETS.length - 1], 3);
    assertGradients(t -> SegmentMean.apply(t, x, OFFSETS), Input.of("x", x));
  }

  @Test
  void offsetsThatDoNotCoverTheRowsAreRefused() {
    Tensor x = randomVariable(10, -1, 1, 4, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SegmentMean.apply(new Tape(), x, new int[] {0, 3, 2, 4}));
    assertEquals("segment offsets must rise from 0 to the 4 rows, got [0, 3, 2, 4]", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SegmentMean.apply(new Tape(), x, new int[] {0, 3}));
  }
}
