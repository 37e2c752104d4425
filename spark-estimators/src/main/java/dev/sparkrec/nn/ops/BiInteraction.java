package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import java.util.Arrays;

/**
 * Bi-interaction pooling (He and Chua, NFM, SIGIR 2017, eq. 4) for each example of {@code v [B, F, K]} (one
 * {@code K}-vector per field): the vector {@code y_{b,k} = Σ_{f<g} v_{f,k}·v_{g,k} = ½ [(Σ_f v_{f,k})² −
 * Σ_f v_{f,k}²]}, output {@code [B, K]}, in {@code O(F·K)} per example. It is {@link PairwiseInteraction} before
 * the sum over {@code k}: DeepFM's FM component as RESUS's reference keeps it. Forward saves the field sums
 * {@code S_{b,k} = Σ_f v_{b,f,k}}. Backward: {@code dv_{b,f,k} = dy_{b,k}·(S_{b,k} − v_{b,f,k})}.
 */
public final class BiInteraction extends Op {

  private final Tensor v;
  private final Tensor out;
  private final float[] sums;
  private final int fields;
  private final int dim;

  private BiInteraction(Tensor v, Tensor out, float[] sums, int fields, int dim) {
    this.v = v;
    this.out = out;
    this.sums = sums;
    this.fields = fields;
    this.dim = dim;
  }

  /** The bi-interaction vector of every example of {@code v}, shape {@code [B, F, K]}; the output is {@code [B, K]}. */
  public static Tensor apply(Tape tape, Tensor v) {
    if (v.rank() != 3) {
      throw new IllegalArgumentException("BiInteraction needs vectors of shape [batch, fields, dim], got " + v);
    }
    int batch = v.dim(0);
    int fields = v.dim(1);
    int dim = v.dim(2);
    Tensor out = tape.output(v.requiresGrad(), batch, dim);
    float[] sums = tape.buffer(batch * dim);
    float[] squares = tape.buffer(dim);
    float[] x = v.data();
    float[] y = out.data();
    for (int b = 0; b < batch; b++) {
      int s = b * dim;
      Arrays.fill(sums, s, s + dim, 0f);
      Arrays.fill(squares, 0, dim, 0f);
      for (int f = 0, at = b * fields * dim; f < fields; f++) {
        for (int k = 0; k < dim; k++, at++) {
          float value = x[at];
          sums[s + k] += value; // S_k = Σ_f v_{f,k}
          squares[k] += value * value; // Σ_f v_{f,k}²
        }
      }
      for (int k = 0; k < dim; k++) {
        double sum = sums[s + k];
        y[s + k] = (float) (0.5 * (sum * sum - squares[k])); // ½ [(Σ_f v_{f,k})² − Σ_f v_{f,k}²]
      }
    }
    if (out.requiresGrad()) {
      tape.record(new BiInteraction(v, out, sums, fields, dim));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    float[] x = v.data();
    float[] gx = v.grad();
    int batch = out.dim(0);
    for (int b = 0, at = 0; b < batch; b++) {
      int s = b * dim;
      for (int f = 0; f < fields; f++) {
        for (int k = 0; k < dim; k++, at++) {
          gx[at] += g[s + k] * (sums[s + k] - x[at]); // dv_{f,k} = dy_k·(S_k − v_{f,k})
        }
      }
    }
  }
}
