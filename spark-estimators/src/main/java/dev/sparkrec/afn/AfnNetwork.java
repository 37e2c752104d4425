package dev.sparkrec.afn;

import dev.sparkrec.nn.Initializers;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.ParameterValues;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.nn.embedding.EmbeddingTable;
import dev.sparkrec.nn.embedding.HasEmbeddingTables;
import dev.sparkrec.nn.embedding.TableInit;
import dev.sparkrec.nn.layers.BatchNorm;
import dev.sparkrec.nn.layers.Linear;
import dev.sparkrec.nn.layers.Mlp;
import dev.sparkrec.nn.ops.Abs;
import dev.sparkrec.nn.ops.Add;
import dev.sparkrec.nn.ops.AddBias;
import dev.sparkrec.nn.ops.BceWithLogits;
import dev.sparkrec.nn.ops.Clamp;
import dev.sparkrec.nn.ops.Concat;
import dev.sparkrec.nn.ops.DropoutOp;
import dev.sparkrec.nn.ops.Exp;
import dev.sparkrec.nn.ops.Log;
import dev.sparkrec.nn.ops.MatMul;
import dev.sparkrec.nn.ops.Mul;
import dev.sparkrec.nn.ops.Reshape;
import dev.sparkrec.nn.ops.StopGradient;
import dev.sparkrec.nn.ops.Transpose;
import dev.sparkrec.train.Batch;
import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.TrainableModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The Adaptive Factorization Network (Cheng, Shen and Huang, AAAI'20) and its ensemble AFN+, as the official
 * TensorFlow code computes them ({@code WeiyuCheng/AFN-AAAI-20:src/AFN.py}; "line n" below refers to that file).
 *
 * <p>AFN learns cross features of arbitrary, real-valued order with <b>logarithmic neurons</b>: for positive
 * embeddings {@code e_i = max(|E[id_i]|, ε)·x_i} of the {@code F} fields, neuron {@code j} outputs
 * {@code y_j = exp(Σ_i w_ij·ln e_i + b_j) = e^{b_j}·Π_i e_i^{w_ij}} element-wise over the {@code K} embedding
 * dimensions; the {@code K·O} outputs of the {@code O} neurons feed an MLP that gives the AFN logit. AFN+ adds
 * a DNN branch on a second embedding table and combines the two logits as
 * {@code y = w1·sg(y_dnn) + w2·sg(y_afn) + b} ({@code sg}: stop-gradient), trained with the sum of three
 * cross-entropies so that each branch learns from its own loss only.
 *
 * <p>Feature values are clipped to [0.001, 1] as in the reference (line 88): values are expected to be scaled
 * to that range (categorical features carry 1); larger ones act as 1, and zero, negative or tiny ones as 0.001.
 * A missing value array means every value is 1; a NaN value is an error.
 *
 * <p>Choices made where the reference leaves room, each also commented at its line:
 * <ul>
 *   <li>The magnitude floor is applied to the looked-up rows rather than to the whole table (the same values
 *       and gradients, but only the batch's rows are touched, so the table stays sparse in its gradient).</li>
 *   <li>The reference stops on non-finite values ({@code tf.check_numerics}); here the logarithmic neurons'
 *       exponent is clamped to [−{@value #EXP_INPUT_LIMIT}, {@value #EXP_INPUT_LIMIT}] before {@code exp}
 *       (outputs between 9e-27 and 1.1e26, finite in float; the batch norm computes their variance in double
 *       and saturates a running variance beyond the float range at {@code Float.MAX_VALUE}); a saturated
 *       position passes no gradient, as with any clamp.</li>
 *   <li>Batch norm everywhere uses ε = 1e-3 (TensorFlow's {@code batch_norm} default) and the configured
 *       momentum; the hidden blocks run Linear → ReLU → batch norm → dropout as the reference does.</li>
 * </ul>
 *
 * <p>Parameters, in {@link #parameters()} order: {@code afn.embedding} (sparse rows), {@code afn.logNorm.*},
 * {@code afn.log.weight} ({@code F × O}), {@code afn.log.bias} ({@code O}), {@code afn.expNorm.*},
 * {@code afn.mlp.hidden<i>.weight/bias}, {@code afn.mlp.bn<i>.*}, {@code afn.mlp.output.weight/bias}; for AFN+
 * then {@code dnn.embedding} (sparse rows), {@code dnn.mlp.*}, {@code ensemble.weight} ({@code [w1, w2]}) and
 * {@code ensemble.bias}. Batch-norm parameters exist only with batch norm on; their running statistics are
 * state parameters.
 *
 * <p>The two embedding tables ({@link #embeddingTables()}) are built by the configuration's
 * {@link EmbeddingLayout}: under the default uniform layout each is the single parameter named above; under
 * another layout a table's parameters take its place, named after it ({@code afn.embedding} and
 * {@code afn.embedding.alpha} for a soft selection, {@code afn.embedding.block<b>} for mixed dimensions). The
 * logarithmic layer applies the AFN table's selection in the log domain: with {@code s} the selection weight of an
 * entry ({@link EmbeddingTable#selection}: a soft selection's α, a mixed-dimension table's 0/1 mask of kept
 * dimensions), it reads {@code s·BN(ln e)} where a full table reads {@code BN(ln e)}. A pruned entry thus enters
 * every neuron as {@code e^0 = 1}, neutral in the product {@code Π_i e_i^{w_ij}}; selecting the embeddings
 * themselves would feed it to the logarithm as {@code max(|0|, ε)}, a strong factor {@code ε^{w_ij}}. The DNN
 * branch of AFN+ reads its table's selected vectors, as every other model does.
 *
 * <p>A network holds a reusable buffer for the clipped feature values, so it is single-threaded: one per
 * training task, as the trainer's {@link #factory} provides.
 */
public final class AfnNetwork implements TrainableModel, HasEmbeddingTables {

  /** The name of the AFN branch's embedding table, {@code Feat_Emb}. */
  public static final String EMBEDDING = "afn.embedding";
  /** The name of AFN+'s DNN-branch embedding table, {@code Feat_Emb_deep}. */
  public static final String DNN_EMBEDDING = "dnn.embedding";

  /**
   * Name suffixes of the parameters the dense L2 penalty leaves out: biases, batch-norm scales and shifts, and
   * AFN+'s ensemble weights (the reference regularises neither).
   */
  public static final String[] UNREGULARIZED_SUFFIXES = {".bias", ".gamma", ".beta", "ensemble.weight"};

  /** Feature values are clipped to [{@value #MIN_VALUE}, {@value #MAX_VALUE}] (line 88). */
  static final float MIN_VALUE = 0.001f;
  static final float MAX_VALUE = 1f;
  /** Bound on the logarithmic neurons' exponent before {@code exp}. */
  static final float EXP_INPUT_LIMIT = 60f;
  /** ε of every batch norm: TensorFlow's {@code batch_norm} default, as in the reference. */
  static final double BATCH_NORM_EPS = BatchNorm.DEFAULT_EPS;
  /** Standard deviation of the log weights and of the DNN embedding table's initialisation (lines 78, 111). */
  static final double NORMAL_INIT_STD = 0.1;

  private final AfnConfig config;
  private final int fields;
  private final int dim;
  private final int neurons;
  private final float logEpsilon;

  private final EmbeddingTable embedding;
  private final BatchNorm logNorm;
  private final Parameter logWeight;
  private final Parameter logBias;
  private final BatchNorm expNorm;
  private final Mlp afnTower;

  private final EmbeddingTable dnnEmbedding;
  private final Mlp dnnTower;
  private final Linear ensembleLayer;

  private final List<Parameter> parameters;
  private float[] clippedValues = new float[0];

  /** A network with freshly initialised weights, drawn from {@code config.seed()} as in the reference. */
  public AfnNetwork(AfnConfig config) {
    this.config = Objects.requireNonNull(config, "config must not be null");
    this.fields = config.numFields();
    this.dim = config.embeddingDim();
    this.neurons = config.logNeurons();
    this.logEpsilon = (float) config.logEpsilon();
    boolean bn = config.batchNorm();
    double momentum = config.batchNormMomentum();
    // One seed per initialised block, drawn in a fixed order, so AFN and AFN+ share their AFN branch's weights.
    SplittableRandom seeds = new SplittableRandom(config.seed());
    long embeddingSeed = seeds.nextLong();
    long logWeightSeed = seeds.nextLong();
    long afnTowerSeed = seeds.nextLong();
    long dnnEmbeddingSeed = seeds.nextLong();
    long dnnTowerSeed = seeds.nextLong();
    long ensembleSeed = seeds.nextLong();

    EmbeddingLayout layout = config.embeddingLayout();
    List<Parameter> all = new ArrayList<>();
    // Feat_Emb [N, K], glorot_normal (lines 75-76): N(0, 2/(N + K)), fans (rows, K) as Keras computes them
    embedding = layout.create(EMBEDDING, config.numFeatures(), dim, TableInit.xavierNormal(), embeddingSeed);
    all.addAll(embedding.parameters());
    // BN over the F fields of ln(E) [B, K, F] (line 106)
    logNorm = bn ? new BatchNorm("afn.logNorm", fields, 2, momentum, BATCH_NORM_EPS, true, true) : null;
    if (logNorm != null) {
      all.addAll(logNorm.parameters());
    }
    // W [F, O] ~ N(0, 0.1), b [O] = 0 (lines 110-112)
    logWeight = Parameter.dense("afn.log.weight", fields, neurons);
    Initializers.normal(logWeight, 0, NORMAL_INIT_STD, logWeightSeed);
    logBias = Parameter.dense("afn.log.bias", neurons);
    all.add(logWeight);
    all.add(logBias);
    // BN over the O neurons of exp(H) [B, K, O] (line 117)
    expNorm = bn ? new BatchNorm("afn.expNorm", neurons, 2, momentum, BATCH_NORM_EPS, true, true) : null;
    if (expNorm != null) {
      all.addAll(expNorm.parameters());
    }
    // The MLP on the flattened logarithmic layer (lines 125-136)
    afnTower = tower("afn.mlp", dim * neurons, config.hiddenLayers(), bn, momentum, config.dropout(), afnTowerSeed);
    all.addAll(afnTower.parameters());

    if (config.ensemble()) {
      // Feat_Emb_deep [N, K] ~ N(0, 0.1) (lines 77-78)
      dnnEmbedding = layout.create(DNN_EMBEDDING, config.numFeatures(), dim, TableInit.normal(NORMAL_INIT_STD),
          dnnEmbeddingSeed);
      all.addAll(dnnEmbedding.parameters());
      // The DNN branch's MLP (lines 142-155)
      dnnTower = tower("dnn.mlp", fields * dim, config.dnnHiddenLayers(), bn, momentum, config.dnnDropout(),
          dnnTowerSeed);
      all.addAll(dnnTower.parameters());
      // w1 = w2 = 0.5, b_p = 0 (lines 157-159)
      ensembleLayer = new Linear("ensemble", 2, 1, ensembleSeed);
      Initializers.constant(ensembleLayer.weight(), 0.5f);
      all.addAll(ensembleLayer.parameters());
    } else {
      dnnEmbedding = null;
      dnnTower = null;
      ensembleLayer = null;
    }
    this.parameters = Collections.unmodifiableList(all);
  }

  /** A factory for the trainer's executors: builds {@code new AfnNetwork(config)}; serializable. */
  public static ModelFactory factory(AfnConfig config) {
    return new Factory(Objects.requireNonNull(config, "config must not be null"));
  }

  public AfnConfig config() {
    return config;
  }

  /**
   * The training loss: AFN's weighted mean cross-entropy of its logit; AFN+'s sum
   * {@code BCE(y) + BCE(y_dnn) + BCE(y_afn)} of three weighted means (lines 180-183).
   */
  @Override
  public Tensor loss(Tape tape, Batch batch) {
    float[] values = clipValues(batch);
    float[] labels = batch.labels();
    float[] weights = batch.weights();
    Tensor afn = afnLogit(tape, batch, values);
    if (!config.ensemble()) {
      return BceWithLogits.apply(tape, afn, labels, weights);
    }
    Tensor dnn = dnnLogit(tape, batch, values);
    Tensor ensemble = ensembleLogit(tape, dnn, afn);
    Tensor loss = Add.apply(tape, BceWithLogits.apply(tape, ensemble, labels, weights), // BCE(y)
        BceWithLogits.apply(tape, dnn, labels, weights)); // + BCE(y_dnn)
    return Add.apply(tape, loss, BceWithLogits.apply(tape, afn, labels, weights)); // + BCE(y_afn)
  }

  /** Writes the AFN logit, or AFN+'s ensemble logit, of each example of the batch to {@code out}. */
  @Override
  public void logits(Tape tape, Batch batch, float[] out) {
    float[] values = clipValues(batch);
    Tensor afn = afnLogit(tape, batch, values);
    Tensor logit = config.ensemble() ? ensembleLogit(tape, dnnLogit(tape, batch, values), afn) : afn;
    System.arraycopy(logit.data(), 0, out, 0, batch.size());
  }

  /** The names of the embedding tables an AFN ({@code ensemble} false) or AFN+ network builds, in order. */
  public static List<String> embeddingTableNames(boolean ensemble) {
    return ensemble ? List.of(EMBEDDING, DNN_EMBEDDING) : List.of(EMBEDDING);
  }

  /** {@code afn.embedding}, then AFN+'s {@code dnn.embedding}. */
  @Override
  public List<EmbeddingTable> embeddingTables() {
    return dnnEmbedding == null ? List.of(embedding) : List.of(embedding, dnnEmbedding);
  }

  /** Every parameter, trainable and state, in the fixed order documented on the class; names are unique. */
  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  /**
   * Copies {@code values} into the parameters by name ({@link ParameterValues#copyInto}). The map must hold exactly
   * the names of {@link #parameters()}, each with an array of the parameter's size; otherwise nothing is copied
   * and the error names the missing, unknown or mis-sized parameter.
   */
  public void setParameters(Map<String, float[]> values) {
    ParameterValues.copyInto(parameters, values);
  }

  /** A copy of every parameter's values, keyed by name in {@link #parameters()} order. */
  public Map<String, float[]> parameterValues() {
    return ParameterValues.copyOf(parameters);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Forward pass

  /**
   * The feature values clipped to [0.001, 1] (line 88) in the network's reusable buffer, or null when the batch
   * has none (every value is 1, already inside the range).
   */
  private float[] clipValues(Batch batch) {
    if (batch.fields() != fields) {
      throw new IllegalArgumentException("the batch has " + batch.fields() + " feature ids per example but the AFN"
          + " network was configured with numFields = " + fields);
    }
    float[] raw = batch.values();
    if (raw == null) {
      return null;
    }
    int count = batch.size() * fields;
    if (clippedValues.length < count) {
      clippedValues = new float[count];
    }
    float[] clipped = clippedValues;
    for (int i = 0; i < count; i++) {
      float v = raw[i];
      if (Float.isNaN(v)) {
        throw new IllegalArgumentException("feature value NaN for feature id " + batch.ids()[i] + " (example "
            + i / fields + ", field " + i % fields + "); AFN needs numeric feature values");
      }
      clipped[i] = Math.min(Math.max(v, MIN_VALUE), MAX_VALUE); // clip(val, 0.001, 1) (line 88)
    }
    return clipped;
  }

  /**
   * The logarithmic layer's output {@code [B, K, O]} for a batch: {@code y_{k,j} = exp(Σ_i w_ij·ln e_{i,k} + b_j)}
   * with the batch norms when configured.
   */
  Tensor logarithmicLayer(Tape tape, Batch batch) {
    return logarithmicLayer(tape, batch, clipValues(batch));
  }

  /** The logarithmic layer (lines 92-117); {@code values} are the clipped feature values or null. */
  private Tensor logarithmicLayer(Tape tape, Batch batch, float[] values) {
    int n = batch.size();
    Tensor e = embedding.lookUpUnselected(tape, batch.ids(), null, n * fields, n, fields, dim); // E[id] [B, F, K]
    e = Abs.apply(tape, e); // |E| (line 81)
    e = Clamp.apply(tape, e, logEpsilon, Float.POSITIVE_INFINITY); // max(|E|, 1e-4) (line 82)
    if (values != null) {
      e = Mul.apply(tape, e, Tensor.constant(values, n, fields, 1)); // e_i = E[id_i]·val_i (line 96)
    }
    Tensor l = Log.apply(tape, Transpose.apply(tape, e)); // ln(transpose(e)) [B, K, F] (lines 99-101)
    if (logNorm != null) {
      l = logNorm.forward(tape, l); // BN over fields (line 106)
    }
    Tensor selection = embedding.selection(tape, batch.ids(), n * fields, n, fields, dim); // [B, F, K] or null
    if (selection != null) {
      l = Mul.apply(tape, l, Transpose.apply(tape, selection)); // a pruned entry contributes ln 1 = 0
    }
    Tensor h = MatMul.apply(tape, l, logWeight.tensor()); // einsum('bkf,fo->bko', L, W) (line 113)
    h = AddBias.apply(tape, h, logBias.tensor()); // + biases (line 113)
    h = Clamp.apply(tape, h, -EXP_INPUT_LIMIT, EXP_INPUT_LIMIT); // keeps exp finite (reference: check_numerics)
    Tensor y = Exp.apply(tape, h); // y_j = e^{b_j}·Π_i e_i^{w_ij} (line 116)
    if (expNorm != null) {
      y = expNorm.forward(tape, y); // BN over neurons (line 117)
    }
    return y;
  }

  /** The AFN logit {@code [B, 1]}: the MLP on the flattened logarithmic layer (lines 120-138). */
  private Tensor afnLogit(Tape tape, Batch batch, float[] values) {
    Tensor y = logarithmicLayer(tape, batch, values);
    Tensor z0 = Reshape.apply(tape, y, batch.size(), dim * neurons); // reshape to [B, K·O] (line 120)
    z0 = DropoutOp.apply(tape, z0, config.dropout()); // dropout(keep = dropout[0]) (line 124)
    return afnTower.forward(tape, z0);
  }

  /** The DNN branch's logit {@code [B, 1]}: the MLP on flatten(E_deep[id]·val) (lines 97, 142-155). */
  private Tensor dnnLogit(Tape tape, Batch batch, float[] values) {
    int n = batch.size();
    Tensor d = dnnEmbedding.lookUp(tape, batch.ids(), values, n * fields, n, fields * dim); // [B, F·K]
    return dnnTower.forward(tape, d);
  }

  /** {@code y = w1·sg(y_dnn) + w2·sg(y_afn) + b} (lines 160-162). */
  private Tensor ensembleLogit(Tape tape, Tensor dnn, Tensor afn) {
    Tensor both = Concat.apply(tape, StopGradient.apply(tape, dnn), StopGradient.apply(tape, afn)); // [B, 2]
    return ensembleLayer.forward(tape, both); // [sg(y_dnn), sg(y_afn)]·[w1, w2]ᵀ + b
  }

  // ---------------------------------------------------------------------------------------------------------
  // Read access for CrossFeatureRanking and tests

  /**
   * The model's logit {@code [B, 1]} (AFN's, or AFN+'s ensemble logit) when the logarithmic layer outputs
   * {@code y} ({@code [B, K, O]}, as {@link #logarithmicLayer(Tape, Batch)} computes it, possibly altered): the
   * part of the forward pass after the logarithmic layer. {@code dnnLogit} is the batch's DNN-branch logit
   * ({@link #dnnLogit(Tape, Batch)}) for AFN+, ignored for AFN.
   */
  Tensor logitFromLogarithmicLayer(Tape tape, Tensor y, Tensor dnnLogit) {
    int n = y.dim(0);
    Tensor z0 = Reshape.apply(tape, y, n, dim * neurons); // reshape to [B, K·O] (line 120)
    Tensor afn = afnTower.forward(tape, DropoutOp.apply(tape, z0, config.dropout()));
    return config.ensemble() ? ensembleLogit(tape, dnnLogit, afn) : afn;
  }

  /** The DNN branch's logit {@code [B, 1]} of AFN+ for a batch; null for plain AFN. */
  Tensor dnnLogit(Tape tape, Batch batch) {
    return config.ensemble() ? dnnLogit(tape, batch, clipValues(batch)) : null;
  }

  /** The AFN branch's embedding table; its {@link EmbeddingTable#toDense()} is the full table under any layout. */
  EmbeddingTable embedding() {
    return embedding;
  }

  /** The batch norm over fields after the logarithm, or null without batch norm. */
  BatchNorm logNorm() {
    return logNorm;
  }

  Parameter logWeight() {
    return logWeight;
  }

  Parameter logBias() {
    return logBias;
  }

  /** The batch norm over neurons after the exponential, or null without batch norm. */
  BatchNorm expNorm() {
    return expNorm;
  }

  /** The first Linear layer after the logarithmic layer: the first hidden layer, or the output layer. */
  Linear firstAfnLayer() {
    return afnTower.hiddenLayers().isEmpty() ? afnTower.outputLayer() : afnTower.hiddenLayers().get(0);
  }

  /** The ensemble layer ({@code ensemble.weight = [w1, w2]}, {@code ensemble.bias}), or null for plain AFN. */
  Linear ensembleLayer() {
    return ensembleLayer;
  }

  /**
   * An MLP in the reference's block order (lines 125-136): per hidden size Linear (Xavier-uniform, as
   * {@code tf.contrib.layers.fully_connected}) → ReLU → batch norm (optional, with the configured momentum) →
   * dropout (when the rate is positive); then a Linear to one output, the logit. Parameter names:
   * {@code name.hidden<i>.*}, {@code name.bn<i>.*}, {@code name.output.*}.
   */
  private static Mlp tower(String name, int inputSize, int[] sizes, boolean batchNorm, double momentum,
      double dropout, long seed) {
    return Mlp.builder(name, inputSize).hidden(sizes).batchNorm(batchNorm).batchNormMomentum(momentum)
        .dropout(dropout).seed(seed).build();
  }

  /** Builds {@code new AfnNetwork(config)} on an executor; holds only the serializable configuration. */
  private static final class Factory implements ModelFactory {
    private static final long serialVersionUID = 1L;
    private final AfnConfig config;

    Factory(AfnConfig config) {
      this.config = config;
    }

    @Override
    public TrainableModel create() {
      return new AfnNetwork(config);
    }
  }
}
