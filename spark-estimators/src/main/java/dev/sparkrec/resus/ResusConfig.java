package dev.sparkrec.resus;

import dev.sparkrec.deepfm.DeepFmConfig;
import java.io.Serializable;
import java.util.Objects;

/**
 * What a {@link ResusNetwork} is built from and how RESUS meta-trains it: the residual learner, the encoder φ (a
 * DeepFM network of its own), the largest support size with its own output adjustment, the initial values of the
 * adjustment scale and of the ridge penalty, and the meta-training settings. Built in one place,
 * {@link RESUS#config}.
 *
 * @param learner {@link #NN} or {@link #RR}
 * @param encoder the encoder's network (its fc4 output layer is built but unused)
 * @param maxSupport support sizes {@code 1..maxSupport} each have their own {@code (a_n, c_n)}; larger supports
 *     keep their most recent {@code maxSupport} rows
 * @param initScale initial {@code a_n} (the reference's 6)
 * @param lambda initial ridge penalty λ of the RR learner (learned; the reference's 1)
 * @param stepSize Adam learning rate of the encoder and of the NN learner's metric
 * @param adjustStepSize Adam learning rate of {@code (a_n, c_n)} and λ
 * @param maxIter meta-training epochs at most (one episode per training user each)
 * @param patience epochs without a better validation AUC before stopping (0: never)
 * @param seed every random choice of the network and of meta-training
 */
public record ResusConfig(String learner, DeepFmConfig encoder, int maxSupport, double initScale, double lambda,
    double stepSize, double adjustStepSize, int maxIter, int patience, long seed) implements Serializable {

  /** The nearest-neighbour learner: softmax over a learned distance to the support rows. */
  public static final String NN = "nn";
  /** The ridge-regression learner: a closed-form ridge fit of the support residuals. */
  public static final String RR = "rr";

  public ResusConfig {
    if (!NN.equals(learner) && !RR.equals(learner)) {
      throw new IllegalArgumentException("learner must be 'nn' or 'rr', got " + learner);
    }
    Objects.requireNonNull(encoder, "encoder must not be null");
    require(maxSupport > 0, "maxSupport must be > 0, got " + maxSupport);
    require(Double.isFinite(initScale), "initScale must be finite, got " + initScale);
    require(lambda > 0 && Double.isFinite(lambda), "lambda must be > 0, got " + lambda);
    require(stepSize > 0, "stepSize must be > 0, got " + stepSize);
    require(adjustStepSize > 0, "adjustStepSize must be > 0, got " + adjustStepSize);
    require(maxIter >= 0, "maxIter must be >= 0, got " + maxIter);
    require(patience >= 0, "patience must be >= 0, got " + patience);
  }

  public boolean isRidge() {
    return RR.equals(learner);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
