package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * {@code y = x + b}, broadcasting a bias {@code b} of length {@code n} over every row of {@code x} of shape
 * {@code [..., n]}. Backward: {@code dx = dy}, {@code db = Σ_rows dy}.
 */
public final class AddBias extends Op {

  private final Tensor x;
  private final Tensor bias;
  private final Tensor out;

  private AddBias(Tensor x, Tensor bias, Tensor out) {
    this.x = x;
    this.bias = bias;
    this.out = out;
  }

  public static Tensor apply(Tape tape, Tensor x, Tensor bias) {
    int n = x.cols();
    if (bias.size() != n) {
      throw new IllegalArgumentException("AddBias: bias " + bias + " does not match the last dimension of " + x);
    }
    Tensor out = tape.output(x.requiresGrad() || bias.requiresGrad(), x.shape());
    float[] xd = x.data();
    float[] bd = bias.data();
    float[] od = out.data();
    int rows = x.rows();
    for (int r = 0, o = 0; r < rows; r++, o += n) {
      for (int j = 0; j < n; j++) {
        od[o + j] = xd[o + j] + bd[j];
      }
    }
    if (out.requiresGrad()) {
      tape.record(new AddBias(x, bias, out));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    int n = x.cols();
    int size = x.size();
    if (x.requiresGrad()) {
      float[] gx = x.grad();
      for (int i = 0; i < size; i++) {
        gx[i] += g[i];
      }
    }
    if (bias.requiresGrad()) {
      float[] gb = bias.grad();
      for (int o = 0; o < size; o += n) {
        for (int j = 0; j < n; j++) {
          gb[j] += g[o + j];
        }
      }
    }
  }
}
