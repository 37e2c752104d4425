package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import java.util.Arrays;

/**
 * The factorization machine's second-order term for each example of {@code v [B, F, K]} (one {@code K}-vector per
 * field): {@code y_b = Σ_{f<g} ⟨v_f, v_g⟩ = ½ Σ_k [(Σ_f v_{f,k})² − Σ_f v_{f,k}²]}, output {@code [B]}, in
 * {@code O(F·K)} per example (Rendle, ICDM 2010, lemma 3.1). Forward saves the field sums
 * {@code S_{b,k} = Σ_f v_{b,f,k}}. Backward: {@code dv_{b,f,k} = dy_b·(S_{b,k} − v_{b,f,k})}.
 */
public final class PairwiseInteraction extends Op {

  private final Tensor v;
  private final Tensor out;
  private final float[] sums;
  private final int fields;
  private final int dim;

  private PairwiseInteraction(Tensor v, Tensor out, float[] sums, int fields, int dim) {
    this.v = v;
    this.out = out;
    this.sums = sums;
    this.fields = fields;
    this.dim = dim;
  }

  /** The pairwise term of every example of {@code v}, shape {@code [B, F, K]}; the output has shape {@code [B]}. */
  public static Tensor apply(Tape tape, Tensor v) {
    if (v.rank() != 3) {
      throw new IllegalArgumentException("PairwiseInteraction needs vectors of shape [batch, fields, dim], got " + v);
    }
    int batch = v.dim(0);
    int fields = v.dim(1);
    int dim = v.dim(2);
    Tensor out = tape.output(v.requiresGrad(), batch);
    float[] sums = tape.buffer(batch * dim);
    float[] x = v.data();
    float[] y = out.data();
    for (int b = 0; b < batch; b++) {
      int s = b * dim;
      Arrays.fill(sums, s, s + dim, 0f);
      double squares = 0;
      for (int f = 0, at = b * fields * dim; f < fields; f++) {
        for (int k = 0; k < dim; k++, at++) {
          float value = x[at];
          sums[s + k] += value; // S_k = Σ_f v_{f,k}
          squares += (double) value * value; // Σ_k Σ_f v_{f,k}²
        }
      }
      double squaredSums = 0;
      for (int k = 0; k < dim; k++) {
        squaredSums += (double) sums[s + k] * sums[s + k]; // Σ_k S_k²
      }
      y[b] = (float) (0.5 * (squaredSums - squares)); // ½ Σ_k [(Σ_f v_{f,k})² − Σ_f v_{f,k}²]
    }
    if (out.requiresGrad()) {
      tape.record(new PairwiseInteraction(v, out, sums, fields, dim));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    float[] x = v.data();
    float[] gx = v.grad();
    int batch = out.size();
    for (int b = 0, at = 0; b < batch; b++) {
      float gb = g[b];
      int s = b * dim;
      for (int f = 0; f < fields; f++) {
        for (int k = 0; k < dim; k++, at++) {
          gx[at] += gb * (sums[s + k] - x[at]); // dv_{f,k} = dy·(S_k − v_{f,k})
        }
      }
    }
  }
}
