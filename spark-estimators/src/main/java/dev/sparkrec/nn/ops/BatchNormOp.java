package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * Batch normalisation along one axis: the statistics are per index {@code c} of {@code axis}, over all other
 * axes (e.g. {@code [B,K,F]} with axis 2 has {@code F} means and variances over {@code B·K} values each; {@code
 * [B,H]} with axis 1 is per-neuron normalisation), and {@code y = γ_c·(x − μ_c)/√(σ²_c + ε) + β_c}.
 *
 * <p>Training ({@link #applyTraining}): {@code μ} and {@code σ²} are the batch mean and biased variance, and
 * backward runs through them: with {@code x̂ = (x − μ)/√(σ² + ε)} and {@code n} values per channel,
 * {@code dx = γ/(n·√(σ² + ε))·(n·dy − Σ dy − x̂·Σ dy·x̂)}. Inference ({@link #applyInference}): given running
 * statistics, no gradient through them, {@code dx = γ·dy/√(σ² + ε)}. In both, {@code dγ = Σ dy·x̂} and
 * {@code dβ = Σ dy}. {@code γ} and {@code β} (shape {@code [channels]}) may be null: no scale, no shift.
 *
 * <p>The batch mean and variance are computed in double, so activations up to the float range normalise
 * correctly: a variance is the square of the activations' spread and leaves the float range once the spread
 * passes {@code √Float.MAX_VALUE ≈ 1.8e19} (AFN's logarithmic neurons reach 1e26). The variance handed out for
 * running statistics is then saturated at {@link Float#MAX_VALUE} ({@link #saturatedFloat}), never infinite:
 * normalising with it divides by {@code ≈ 1.8e19} instead of the true standard deviation, which compresses such
 * a channel's output but keeps it, and every statistic derived from it, finite.
 */
public final class BatchNormOp extends Op {

  private final Tensor x;
  private final Tensor gamma;
  private final Tensor beta;
  private final Tensor out;
  private final float[] stats;
  private final boolean training;
  private final int outer;
  private final int channels;
  private final int inner;

  private BatchNormOp(Tensor x, Tensor gamma, Tensor beta, Tensor out, float[] stats, boolean training, int outer,
      int channels, int inner) {
    this.x = x;
    this.gamma = gamma;
    this.beta = beta;
    this.out = out;
    this.stats = stats;
    this.training = training;
    this.outer = outer;
    this.channels = channels;
    this.inner = inner;
  }

  /**
   * Normalises with the batch statistics and writes them, per channel, into {@code batchMean} and
   * {@code batchVariance} (biased: divided by the count) when these are not null, for running averages.
   */
  public static Tensor applyTraining(Tape tape, Tensor x, int axis, Tensor gamma, Tensor beta, float eps,
      float[] batchMean, float[] batchVariance) {
    int a = Shapes.axis("BatchNormOp", x, axis);
    int[] shape = x.shape();
    int outer = Shapes.outer(shape, a);
    int channels = shape[a];
    int inner = Shapes.inner(shape, a);
    check(x, channels, gamma, beta, eps);
    long count = (long) outer * inner;
    if (count == 0) {
      throw new IllegalArgumentException("BatchNormOp: no values to normalise in " + x);
    }
    float[] xd = x.data();
    double[] mean = new double[channels];
    for (int o = 0, idx = 0; o < outer; o++) {
      for (int c = 0; c < channels; c++) {
        for (int i = 0; i < inner; i++, idx++) {
          mean[c] += xd[idx];
        }
      }
    }
    for (int c = 0; c < channels; c++) {
      mean[c] /= count; // μ_c = Σ x / n
    }
    double[] squares = new double[channels];
    for (int o = 0, idx = 0; o < outer; o++) {
      for (int c = 0; c < channels; c++) {
        double mu = mean[c];
        for (int i = 0; i < inner; i++, idx++) {
          double e = xd[idx] - mu;
          squares[c] += e * e;
        }
      }
    }
    float[] stats = tape.buffer(2 * channels); // [mean, 1/√(var + ε)] per channel
    for (int c = 0; c < channels; c++) {
      double variance = squares[c] / count; // σ²_c = Σ (x − μ_c)² / n, in double: finite for any float x
      stats[c] = (float) mean[c]; // a mean of floats is within the float range
      stats[channels + c] = (float) (1.0 / Math.sqrt(variance + eps));
      if (batchMean != null) {
        batchMean[c] = stats[c];
      }
      if (batchVariance != null) {
        batchVariance[c] = saturatedFloat(variance);
      }
    }
    return normalise(tape, x, gamma, beta, stats, true, outer, channels, inner);
  }

  /** Normalises with the given (running) statistics, which receive no gradient. */
  public static Tensor applyInference(Tape tape, Tensor x, int axis, Tensor gamma, Tensor beta, float eps,
      float[] mean, float[] variance) {
    int a = Shapes.axis("BatchNormOp", x, axis);
    int[] shape = x.shape();
    int channels = shape[a];
    check(x, channels, gamma, beta, eps);
    if (mean.length < channels || variance.length < channels) {
      throw new IllegalArgumentException("BatchNormOp: running statistics of length " + mean.length + " and "
          + variance.length + " for " + channels + " channels of " + x);
    }
    float[] stats = tape.buffer(2 * channels);
    for (int c = 0; c < channels; c++) {
      stats[c] = mean[c];
      stats[channels + c] = (float) (1.0 / Math.sqrt((double) variance[c] + eps)); // 1/√(σ² + ε)
    }
    return normalise(tape, x, gamma, beta, stats, false, Shapes.outer(shape, a), channels, Shapes.inner(shape, a));
  }

  /**
   * {@code value} as a float, saturated at ±{@link Float#MAX_VALUE} instead of overflowing to infinity (NaN stays
   * NaN), for statistics computed in double and stored in float.
   */
  public static float saturatedFloat(double value) {
    return (float) Math.max(-Float.MAX_VALUE, Math.min(Float.MAX_VALUE, value));
  }

  private static void check(Tensor x, int channels, Tensor gamma, Tensor beta, float eps) {
    if (gamma != null && gamma.size() != channels || beta != null && beta.size() != channels) {
      throw new IllegalArgumentException("BatchNormOp: γ " + gamma + " and β " + beta + " must have one value per"
          + " channel, " + channels + " for " + x);
    }
    if (!(eps > 0)) {
      throw new IllegalArgumentException("BatchNormOp: ε must be positive, got " + eps);
    }
  }

  private static Tensor normalise(Tape tape, Tensor x, Tensor gamma, Tensor beta, float[] stats, boolean training,
      int outer, int channels, int inner) {
    boolean requiresGrad = x.requiresGrad() || gamma != null && gamma.requiresGrad()
        || beta != null && beta.requiresGrad();
    Tensor out = tape.output(requiresGrad, x.shape());
    float[] xd = x.data();
    float[] y = out.data();
    float[] gd = gamma == null ? null : gamma.data();
    float[] bd = beta == null ? null : beta.data();
    for (int o = 0, idx = 0; o < outer; o++) {
      for (int c = 0; c < channels; c++) {
        float mean = stats[c];
        float scale = stats[channels + c] * (gd == null ? 1f : gd[c]);
        float shift = bd == null ? 0f : bd[c];
        for (int i = 0; i < inner; i++, idx++) {
          y[idx] = (xd[idx] - mean) * scale + shift; // y = γ·(x − μ)/√(σ² + ε) + β
        }
      }
    }
    if (requiresGrad) {
      tape.record(new BatchNormOp(x, gamma, beta, out, stats, training, outer, channels, inner));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    float[] xd = x.data();
    double[] sumDy = new double[channels];
    double[] sumDyXhat = new double[channels];
    for (int o = 0, idx = 0; o < outer; o++) {
      for (int c = 0; c < channels; c++) {
        float mean = stats[c];
        float invStd = stats[channels + c];
        for (int i = 0; i < inner; i++, idx++) {
          float dy = g[idx];
          sumDy[c] += dy; // Σ dy
          sumDyXhat[c] += (double) dy * ((xd[idx] - mean) * invStd); // Σ dy·x̂
        }
      }
    }
    if (gamma != null && gamma.requiresGrad()) {
      float[] gg = gamma.grad();
      for (int c = 0; c < channels; c++) {
        gg[c] += (float) sumDyXhat[c]; // dγ = Σ dy·x̂
      }
    }
    if (beta != null && beta.requiresGrad()) {
      float[] gbeta = beta.grad();
      for (int c = 0; c < channels; c++) {
        gbeta[c] += (float) sumDy[c]; // dβ = Σ dy
      }
    }
    if (!x.requiresGrad()) {
      return;
    }
    float[] gx = x.grad();
    float[] gd = gamma == null ? null : gamma.data();
    double n = (double) outer * inner;
    for (int o = 0, idx = 0; o < outer; o++) {
      for (int c = 0; c < channels; c++) {
        float mean = stats[c];
        float invStd = stats[channels + c];
        float scale = invStd * (gd == null ? 1f : gd[c]);
        if (training) {
          float meanDy = (float) (sumDy[c] / n);
          float meanDyXhat = (float) (sumDyXhat[c] / n);
          for (int i = 0; i < inner; i++, idx++) {
            float xhat = (xd[idx] - mean) * invStd;
            gx[idx] += scale * (g[idx] - meanDy - xhat * meanDyXhat); // dx = γ/√(σ²+ε)·(dy − mean dy − x̂·mean dy·x̂)
          }
        } else {
          for (int i = 0; i < inner; i++, idx++) {
            gx[idx] += scale * g[idx]; // dx = γ·dy/√(σ² + ε)
          }
        }
      }
    }
  }
}
