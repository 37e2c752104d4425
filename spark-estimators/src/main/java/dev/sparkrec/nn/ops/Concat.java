package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import java.util.Arrays;

/**
 * Concatenates two or more tensors along the last axis: inputs {@code [..., n_t]} with equal leading dimensions
 * give {@code [..., Σ n_t]}, each output row the inputs' rows side by side. Backward: each input receives its
 * columns of {@code dy}.
 */
public final class Concat extends Op {

  private final Tensor[] inputs;
  private final Tensor out;
  private final int rows;
  private final int width;

  private Concat(Tensor[] inputs, Tensor out, int rows, int width) {
    this.inputs = inputs;
    this.out = out;
    this.rows = rows;
    this.width = width;
  }

  public static Tensor apply(Tape tape, Tensor... inputs) {
    if (inputs.length < 2) {
      throw new IllegalArgumentException("Concat needs at least two tensors, got " + inputs.length);
    }
    if (inputs[0].rank() == 0) {
      throw new IllegalArgumentException("Concat needs tensors with at least one dimension, got " + inputs[0]);
    }
    int[] first = inputs[0].shape();
    int[] leading = Arrays.copyOf(first, first.length - 1);
    int width = 0;
    boolean requiresGrad = false;
    for (Tensor t : inputs) {
      int[] s = t.shape();
      if (s.length != first.length || !Arrays.equals(leading, Arrays.copyOf(s, s.length - 1))) {
        throw new IllegalArgumentException("Concat: the leading dimensions of " + t + " differ from those of "
            + inputs[0]);
      }
      width += t.cols();
      requiresGrad |= t.requiresGrad();
    }
    int[] shape = first.clone();
    shape[shape.length - 1] = width;
    Tensor out = tape.output(requiresGrad, shape);
    int rows = inputs[0].rows();
    float[] y = out.data();
    int offset = 0;
    for (Tensor t : inputs) {
      int n = t.cols();
      float[] xd = t.data();
      for (int r = 0; r < rows; r++) {
        System.arraycopy(xd, r * n, y, r * width + offset, n); // y[r, offset + j] = x_t[r, j]
      }
      offset += n;
    }
    if (requiresGrad) {
      tape.record(new Concat(inputs.clone(), out, rows, width));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    int offset = 0;
    for (Tensor t : inputs) {
      int n = t.cols();
      if (t.requiresGrad()) {
        float[] gx = t.grad();
        for (int r = 0; r < rows; r++) {
          int from = r * width + offset;
          int to = r * n;
          for (int j = 0; j < n; j++) {
            gx[to + j] += g[from + j]; // dx_t[r, j] = dy[r, offset + j]
          }
        }
      }
      offset += n;
    }
  }
}
