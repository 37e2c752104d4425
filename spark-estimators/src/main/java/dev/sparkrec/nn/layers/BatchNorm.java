package dev.sparkrec.nn.layers;

import dev.sparkrec.nn.Initializers;
import dev.sparkrec.nn.Module;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.BatchNormOp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Batch normalisation over {@code channels} along {@code axis} ({@link BatchNormOp}), as TensorFlow's
 * {@code tf.contrib.layers.batch_norm} in the AFN reference code: a trainable scale {@code γ} (init 1) and
 * shift {@code β} (init 0), and running statistics updated in training mode as
 * {@code running = momentum·running + (1 − momentum)·batch}, used in evaluation mode.
 *
 * <p>The running variance averages the biased batch variance (divided by the count), as TensorFlow's
 * {@code tf.nn.moments} path does; TensorFlow's fused 2-d/4-d kernel averages the unbiased one, which differs by
 * the factor {@code n/(n − 1)}, negligible at the usual batch sizes.
 *
 * <p>The update runs in double and stores the result saturated at ±{@link Float#MAX_VALUE}
 * ({@link BatchNormOp#saturatedFloat}): a channel whose activations spread beyond {@code √Float.MAX_VALUE ≈
 * 1.8e19} has a variance beyond the float range, and keeps the largest finite running variance rather than an
 * infinite one, so evaluation mode and everything read from the running statistics stay finite.
 *
 * <p>Parameters, in order: {@code name.gamma} (if scaled), {@code name.beta} (if centred),
 * {@code name.runningMean} (state, init 0), {@code name.runningVariance} (state, init 1).
 */
public final class BatchNorm implements Module {

  /** Default weight of the old running value in the update: 0.9, AFN's TensorFlow decay. */
  public static final double DEFAULT_MOMENTUM = 0.9;

  /** Default ε added to the variance: 1e-3, the default of TensorFlow's {@code batch_norm} used by AFN. */
  public static final double DEFAULT_EPS = 1e-3;

  private final int axis;
  private final double momentum;
  private final float eps;
  private final Parameter gamma;
  private final Parameter beta;
  private final Parameter runningMean;
  private final Parameter runningVariance;
  private final float[] batchMean;
  private final float[] batchVariance;

  /** A centred and scaled layer with the default momentum (0.9) and ε (1e-3). */
  public BatchNorm(String name, int channels, int axis) {
    this(name, channels, axis, DEFAULT_MOMENTUM, DEFAULT_EPS, true, true);
  }

  /**
   * @param name prefix of the parameter names
   * @param channels size of {@code axis} in the inputs (positive)
   * @param axis the axis whose indices get their own statistics (negative counts from the end)
   * @param momentum weight of the old running value in [0, 1]
   * @param eps added to the variance (positive)
   * @param center whether to learn the shift β
   * @param scale whether to learn the scale γ
   */
  public BatchNorm(String name, int channels, int axis, double momentum, double eps, boolean center,
      boolean scale) {
    if (channels <= 0) {
      throw new IllegalArgumentException("BatchNorm " + name + ": channels must be positive, got " + channels);
    }
    if (!(momentum >= 0 && momentum <= 1)) {
      throw new IllegalArgumentException("BatchNorm " + name + ": momentum must be in [0, 1], got " + momentum);
    }
    if (!(eps > 0)) {
      throw new IllegalArgumentException("BatchNorm " + name + ": eps must be positive, got " + eps);
    }
    this.axis = axis;
    this.momentum = momentum;
    this.eps = (float) eps;
    this.gamma = scale ? Parameter.dense(name + ".gamma", channels) : null;
    this.beta = center ? Parameter.dense(name + ".beta", channels) : null;
    this.runningMean = Parameter.state(name + ".runningMean", channels);
    this.runningVariance = Parameter.state(name + ".runningVariance", channels);
    if (gamma != null) {
      Initializers.constant(gamma, 1f);
    }
    Initializers.constant(runningVariance, 1f);
    this.batchMean = new float[channels];
    this.batchVariance = new float[channels];
  }

  /**
   * Normalises {@code x}: with batch statistics, updating the running ones, when {@code tape.isTraining()};
   * with the running statistics otherwise.
   */
  public Tensor forward(Tape tape, Tensor x) {
    Tensor g = gamma == null ? null : gamma.tensor();
    Tensor b = beta == null ? null : beta.tensor();
    if (!tape.isTraining()) {
      return BatchNormOp.applyInference(tape, x, axis, g, b, eps, runningMean.data(), runningVariance.data());
    }
    Tensor y = BatchNormOp.applyTraining(tape, x, axis, g, b, eps, batchMean, batchVariance);
    float[] mean = runningMean.data();
    float[] variance = runningVariance.data();
    for (int c = 0; c < batchMean.length; c++) {
      // running = m·running + (1 − m)·batch, in double and saturated at the float range
      mean[c] = BatchNormOp.saturatedFloat(momentum * mean[c] + (1 - momentum) * batchMean[c]);
      variance[c] = BatchNormOp.saturatedFloat(momentum * variance[c] + (1 - momentum) * batchVariance[c]);
    }
    return y;
  }

  /** The scale γ, or null when the layer does not scale. */
  public Parameter gamma() {
    return gamma;
  }

  /** The shift β, or null when the layer does not centre. */
  public Parameter beta() {
    return beta;
  }

  public Parameter runningMean() {
    return runningMean;
  }

  public Parameter runningVariance() {
    return runningVariance;
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> all = new ArrayList<>(4);
    if (gamma != null) {
      all.add(gamma);
    }
    if (beta != null) {
      all.add(beta);
    }
    all.add(runningMean);
    all.add(runningVariance);
    return Collections.unmodifiableList(all);
  }
}
