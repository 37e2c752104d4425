package dev.sparkrec.afn;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * Settings of an {@link AfnNetwork}: the sizes of the AFN (Adaptive Factorization Network, Cheng et al., AAAI'20)
 * and, for AFN+, of its DNN branch. Immutable and Serializable; build with {@link #builder()}, which validates
 * every value and fails naming the setting.
 *
 * <p>The defaults reproduce the official code's Frappe run ({@code WeiyuCheng/AFN-AAAI-20}, {@code src/AFN.py}
 * and {@code run_experiments.sh}): 10-dimensional embeddings, 600 logarithmic neurons, hidden layers
 * 400-400-400 with batch norm and no dropout, a 1e-4 floor on the embedding magnitudes and plain AFN (no
 * ensemble). The getters return the settings documented on the {@link Builder}'s setters.
 */
public final class AfnConfig implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int numFeatures;
  private final int numFields;
  private final int embeddingDim;
  private final int logNeurons;
  private final int[] hiddenLayers;
  private final double dropout;
  private final boolean batchNorm;
  private final double logEpsilon;
  private final boolean ensemble;
  private final int[] dnnHiddenLayers;
  private final double dnnDropout;
  private final long seed;
  private final double batchNormMomentum;

  private AfnConfig(Builder b) {
    this.numFeatures = b.numFeatures;
    this.numFields = b.numFields;
    this.embeddingDim = b.embeddingDim;
    this.logNeurons = b.logNeurons;
    this.hiddenLayers = b.hiddenLayers.clone();
    this.dropout = b.dropout;
    this.batchNorm = b.batchNorm;
    this.logEpsilon = b.logEpsilon;
    this.ensemble = b.ensemble;
    this.dnnHiddenLayers = b.dnnHiddenLayers.clone();
    this.dnnDropout = b.dnnDropout;
    this.seed = b.seed;
    this.batchNormMomentum = b.batchNormMomentum;
  }

  /** A builder with the defaults documented on each setter; {@code numFeatures} and {@code numFields} must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration, to derive a variant. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.numFeatures = numFeatures;
    b.numFields = numFields;
    b.embeddingDim = embeddingDim;
    b.logNeurons = logNeurons;
    b.hiddenLayers = hiddenLayers.clone();
    b.dropout = dropout;
    b.batchNorm = batchNorm;
    b.logEpsilon = logEpsilon;
    b.ensemble = ensemble;
    b.dnnHiddenLayers = dnnHiddenLayers.clone();
    b.dnnDropout = dnnDropout;
    b.seed = seed;
    b.batchNormMomentum = batchNormMomentum;
    return b;
  }

  public int numFeatures() {
    return numFeatures;
  }

  public int numFields() {
    return numFields;
  }

  public int embeddingDim() {
    return embeddingDim;
  }

  public int logNeurons() {
    return logNeurons;
  }

  /** A copy of the AFN hidden layer sizes. */
  public int[] hiddenLayers() {
    return hiddenLayers.clone();
  }

  public double dropout() {
    return dropout;
  }

  public boolean batchNorm() {
    return batchNorm;
  }

  public double logEpsilon() {
    return logEpsilon;
  }

  public boolean ensemble() {
    return ensemble;
  }

  /** A copy of the DNN branch's hidden layer sizes (used by AFN+ only). */
  public int[] dnnHiddenLayers() {
    return dnnHiddenLayers.clone();
  }

  public double dnnDropout() {
    return dnnDropout;
  }

  public long seed() {
    return seed;
  }

  public double batchNormMomentum() {
    return batchNormMomentum;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof AfnConfig)) {
      return false;
    }
    AfnConfig c = (AfnConfig) o;
    return numFeatures == c.numFeatures && numFields == c.numFields && embeddingDim == c.embeddingDim
        && logNeurons == c.logNeurons && Arrays.equals(hiddenLayers, c.hiddenLayers)
        && Double.compare(dropout, c.dropout) == 0 && batchNorm == c.batchNorm
        && Double.compare(logEpsilon, c.logEpsilon) == 0 && ensemble == c.ensemble
        && Arrays.equals(dnnHiddenLayers, c.dnnHiddenLayers) && Double.compare(dnnDropout, c.dnnDropout) == 0
        && seed == c.seed && Double.compare(batchNormMomentum, c.batchNormMomentum) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(numFeatures, numFields, embeddingDim, logNeurons, Arrays.hashCode(hiddenLayers), dropout,
        batchNorm, logEpsilon, ensemble, Arrays.hashCode(dnnHiddenLayers), dnnDropout, seed, batchNormMomentum);
  }

  @Override
  public String toString() {
    return "AfnConfig(numFeatures=" + numFeatures + ", numFields=" + numFields + ", embeddingDim=" + embeddingDim
        + ", logNeurons=" + logNeurons + ", hiddenLayers=" + Arrays.toString(hiddenLayers) + ", dropout=" + dropout
        + ", batchNorm=" + batchNorm + ", logEpsilon=" + logEpsilon + ", ensemble=" + ensemble
        + ", dnnHiddenLayers=" + Arrays.toString(dnnHiddenLayers) + ", dnnDropout=" + dnnDropout + ", seed=" + seed
        + ", batchNormMomentum=" + batchNormMomentum + ")";
  }

  /** Configures an {@link AfnConfig}; every setter states its range and default. */
  public static final class Builder {

    private int numFeatures;
    private int numFields;
    private int embeddingDim = 10;
    private int logNeurons = 600;
    private int[] hiddenLayers = {400, 400, 400};
    private double dropout = 0.0;
    private boolean batchNorm = true;
    private double logEpsilon = 1e-4;
    private boolean ensemble = false;
    private int[] dnnHiddenLayers = {400, 400, 400};
    private double dnnDropout = 0.0;
    private long seed = 42;
    private double batchNormMomentum = 0.9;

    private Builder() {}

    /** Rows of the embedding tables: every feature id must be in [0, numFeatures) (required, > 0). */
    public Builder numFeatures(int value) {
      numFeatures = value;
      return this;
    }

    /** Feature ids (fields) per example (required, > 0). */
    public Builder numFields(int value) {
      numFields = value;
      return this;
    }

    /** Embedding dimension K of both embedding tables (> 0). Default: 10. */
    public Builder embeddingDim(int value) {
      embeddingDim = value;
      return this;
    }

    /** Number of logarithmic neurons O, each one learned cross feature (> 0). Default: 600 (Frappe). */
    public Builder logNeurons(int value) {
      logNeurons = value;
      return this;
    }

    /** Sizes of the AFN hidden layers after the logarithmic layer (each > 0; may be empty). Default: 400, 400, 400. */
    public Builder hiddenLayers(int... sizes) {
      hiddenLayers = Objects.requireNonNull(sizes, "hiddenLayers must not be null").clone();
      return this;
    }

    /**
     * Dropout rate in [0, 1) on the logarithmic layer's output and after each AFN hidden layer (the reference's
     * {@code --dropout} keep probabilities are 1 − rate). Default: 0.
     */
    public Builder dropout(double value) {
      dropout = value;
      return this;
    }

    /**
     * Whether to batch-normalise the logarithms (per field), the exponentials (per neuron) and each hidden layer
     * of both branches. Default: true.
     */
    public Builder batchNorm(boolean value) {
      batchNorm = value;
      return this;
    }

    /**
     * Floor of the embedding magnitudes |E| before the logarithm (> 0). Default: 1e-4, the official code's value;
     * FuxiCTR uses 1e-5 and DeepCTR-Torch 1e-7.
     */
    public Builder logEpsilon(double value) {
      logEpsilon = value;
      return this;
    }

    /** Whether to train AFN+: AFN and a DNN branch combined by a learned weighted sum. Default: false (AFN). */
    public Builder ensemble(boolean value) {
      ensemble = value;
      return this;
    }

    /** Sizes of the DNN branch's hidden layers, AFN+ only (each > 0; may be empty). Default: 400, 400, 400. */
    public Builder dnnHiddenLayers(int... sizes) {
      dnnHiddenLayers = Objects.requireNonNull(sizes, "dnnHiddenLayers must not be null").clone();
      return this;
    }

    /**
     * Dropout rate in [0, 1) after each hidden layer of the DNN branch, AFN+ only (the reference reuses the AFN
     * rates; reproductions such as FuxiCTR tune it separately). Default: 0.
     */
    public Builder dnnDropout(double value) {
      dnnDropout = value;
      return this;
    }

    /** Seed of the weight initialisation. Default: 42. */
    public Builder seed(long value) {
      seed = value;
      return this;
    }

    /**
     * Weight of the old value in the batch-norm running statistics update
     * {@code running = momentum·running + (1 − momentum)·batch}, in [0, 1]. Default: 0.9 (TensorFlow's decay in
     * the reference; PyTorch's momentum 0.1).
     */
    public Builder batchNormMomentum(double value) {
      batchNormMomentum = value;
      return this;
    }

    /** Validates the settings and returns the configuration. */
    public AfnConfig build() {
      require(numFeatures > 0, "numFeatures is required and must be > 0 (the size of the feature vocabulary), got "
          + numFeatures);
      require(numFields > 0, "numFields is required and must be > 0 (feature ids per example), got " + numFields);
      require(embeddingDim > 0, "embeddingDim must be > 0, got " + embeddingDim);
      require(logNeurons > 0, "logNeurons must be > 0, got " + logNeurons);
      requireSizes("hiddenLayers", hiddenLayers);
      require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
      require(logEpsilon > 0 && !Double.isInfinite(logEpsilon),
          "logEpsilon must be positive and finite, got " + logEpsilon);
      requireSizes("dnnHiddenLayers", dnnHiddenLayers);
      require(dnnDropout >= 0 && dnnDropout < 1, "dnnDropout must be in [0, 1), got " + dnnDropout);
      require(batchNormMomentum >= 0 && batchNormMomentum <= 1,
          "batchNormMomentum must be in [0, 1], got " + batchNormMomentum);
      requireIntSize("the embedding tables (numFeatures × embeddingDim = " + numFeatures + " × " + embeddingDim + ")",
          (long) numFeatures * embeddingDim);
      requireIntSize("the logarithmic layer's output (embeddingDim × logNeurons = " + embeddingDim + " × "
          + logNeurons + ")", (long) embeddingDim * logNeurons);
      return new AfnConfig(this);
    }

    private static void requireSizes(String name, int[] sizes) {
      for (int s : sizes) {
        require(s > 0, name + " must all be > 0, got " + Arrays.toString(sizes));
      }
    }

    private static void requireIntSize(String what, long size) {
      require(size <= Integer.MAX_VALUE, what + " has " + size + " elements, more than an array can hold ("
          + Integer.MAX_VALUE + "); lower the sizes");
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
