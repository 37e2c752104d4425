package dev.sparkrec.deepfm;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.ParameterValues;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.embedding.EmbeddingTable;
import dev.sparkrec.nn.embedding.HasEmbeddingTables;
import dev.sparkrec.nn.embedding.TableInit;
import dev.sparkrec.nn.layers.Linear;
import dev.sparkrec.nn.layers.Mlp;
import dev.sparkrec.nn.ops.BceWithLogits;
import dev.sparkrec.nn.ops.BiInteraction;
import dev.sparkrec.nn.ops.Concat;
import dev.sparkrec.nn.ops.Reshape;
import dev.sparkrec.train.Batch;
import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.TrainableModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * DeepFM (Guo et al., IJCAI 2017) as RESUS's reference {@code DeepFM_encoder} computes it ({@code src/utils.py}):
 * for an example with feature ids {@code id_f} and values {@code x_f} (1 without a value column) in {@code F}
 * fields,
 * <pre>
 *   e_f   = E[id_f]·x_f                       (E: numFeatures × K, Glorot normal)
 *   h_fm  = ½ [(Σ_f e_f)² − Σ_f e_f²]         (element-wise over k: a K-vector, {@link BiInteraction})
 *   h_dnn = ReLU MLP over concat_f e_f        (hiddenLayers, 400-400-400 by default)
 *   h     = concat(h_fm, h_dnn)               (the encoding φ(x), {@link #encoderDim()} wide)
 *   logit = w·h + b                           (fc4)
 * </pre>
 * with no first-order term, no dropout and no batch norm, as the reference. The loss is the (weighted) binary
 * cross-entropy of the logit. RESUS uses the network twice: as the frozen base predictor ({@link #logits}) and, a
 * second freshly initialised copy, as the trainable encoder ({@link #encode}); {@link #logit(Tape, Tensor)} is the
 * output layer alone, so one pass gives both.
 *
 * <p>Parameters, in {@link #parameters()} order: the embedding table {@code deepfm.embedding} (sparse rows
 * {@code [numFeatures × K]}, Glorot normal N(0, 2/(numFeatures + K)) as the reference's {@code xavier_normal_}),
 * built by the configuration's {@link dev.sparkrec.nn.embedding.EmbeddingLayout} (one full table by default, or
 * {@code deepfm.embedding.block<b>} for mixed dimensions, {@code deepfm.embedding} and
 * {@code deepfm.embedding.alpha} for a soft selection); then {@code deepfm.mlp.hidden<i>.weight/bias} and
 * {@code deepfm.output.weight/bias}. The Linear layers are the engine's (Xavier-uniform weights, zero biases), where
 * the PyTorch reference keeps {@code nn.Linear}'s default initialisation.
 *
 * <p>Holds no buffers of its own; like every network it is used by one thread at a time, one per training task, as
 * the trainer's {@link #factory} provides.
 */
public final class DeepFmNetwork implements TrainableModel, HasEmbeddingTables {

  /** Name of the embedding table {@code E}; the names of its parameters start with it. */
  public static final String EMBEDDING = "deepfm.embedding";
  /** Name prefix of the DNN component's hidden layers. */
  public static final String MLP = "deepfm.mlp";
  /** Name prefix of the output layer {@code Linear(h → 1)}. */
  public static final String OUTPUT = "deepfm.output";

  private final DeepFmConfig config;
  private final int fields;
  private final int dim;
  private final EmbeddingTable embedding;
  private final Mlp dnn;
  private final Linear output;
  private final List<Parameter> parameters;

  /** A network with freshly initialised parameters, drawn from {@code config.seed()}. */
  public DeepFmNetwork(DeepFmConfig config) {
    this.config = Objects.requireNonNull(config, "config must not be null");
    this.fields = config.numFields();
    this.dim = config.embeddingDim();
    SplittableRandom seeds = new SplittableRandom(config.seed());
    long embeddingSeed = seeds.nextLong();
    long dnnSeed = seeds.nextLong();
    long outputSeed = seeds.nextLong();

    // E [N, K] ~ xavier_normal, stored as the layout chooses
    embedding = config.embeddingLayout().create(EMBEDDING, config.numFeatures(), dim, TableInit.xavierNormal(),
        embeddingSeed);
    int[] hidden = config.hiddenLayers();
    // fc1..fcL with ReLU over concat_f e_f [B, F·K]; no hidden layer: h_dnn is concat_f e_f itself
    dnn = hidden.length == 0 ? null
        : Mlp.builder(MLP, fields * dim).hidden(hidden).output(false).seed(dnnSeed).build();
    output = new Linear(OUTPUT, config.encoderDim(), 1, outputSeed); // fc4: Linear(K + last hidden, 1)
    List<Parameter> all = new ArrayList<>(embedding.parameters());
    if (dnn != null) {
      all.addAll(dnn.parameters());
    }
    all.addAll(output.parameters());
    this.parameters = List.copyOf(all);
  }

  /** A factory for the trainer's executors: builds {@code new DeepFmNetwork(config)}; serializable. */
  public static ModelFactory factory(DeepFmConfig config) {
    Objects.requireNonNull(config, "config must not be null");
    return () -> new DeepFmNetwork(config);
  }

  /** Whether {@code name} is a parameter of the embedding table ({@code deepfm.embedding} or {@code .*}). */
  public static boolean isEmbeddingParameter(String name) {
    return name.equals(EMBEDDING) || name.startsWith(EMBEDDING + ".");
  }

  public DeepFmConfig config() {
    return config;
  }

  /** Width of the encoding {@code h}: {@code embeddingDim} + the last hidden size (410 with the defaults). */
  public int encoderDim() {
    return config.encoderDim();
  }

  /** The weighted mean binary cross-entropy of the logits. */
  @Override
  public Tensor loss(Tape tape, Batch batch) {
    return BceWithLogits.apply(tape, logit(tape, batch), batch.labels(), batch.weights());
  }

  /** Writes the logit of each example of the batch to {@code out}. */
  @Override
  public void logits(Tape tape, Batch batch, float[] out) {
    System.arraycopy(logit(tape, batch).data(), 0, out, 0, batch.size());
  }

  /** Every parameter in the order documented on the class; names are unique. */
  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  /** The embedding table {@code deepfm.embedding}. */
  @Override
  public List<EmbeddingTable> embeddingTables() {
    return List.of(embedding);
  }

  /**
   * Copies {@code values} into the parameters by name ({@link ParameterValues#copyInto}). The map must hold exactly
   * the names of {@link #parameters()}, each with an array of the parameter's size; otherwise nothing is copied and
   * the error names the missing, unknown or mis-sized parameter.
   */
  public void setParameters(Map<String, float[]> values) {
    ParameterValues.copyInto(parameters, values);
  }

  /** A copy of every parameter's values, keyed by name in {@link #parameters()} order. */
  public Map<String, float[]> parameterValues() {
    return ParameterValues.copyOf(parameters);
  }

  /**
   * The encoding {@code h = concat(h_fm, h_dnn)} of each example of the batch, {@code [B, encoderDim()]}, recorded
   * on {@code tape} (its gradient reaches the embeddings and the hidden layers, not the output layer): RESUS's
   * φ(x). Columns {@code [0, K)} are the bi-interaction vector, the rest the DNN component's output.
   */
  public Tensor encode(Tape tape, Batch batch) {
    if (batch.fields() != fields) {
      throw new IllegalArgumentException("the batch has " + batch.fields() + " feature ids per example but the "
          + "DeepFM network was configured with numFields = " + fields);
    }
    int n = batch.size();
    Tensor e = embedding.lookUp(tape, batch.ids(), batch.values(), n * fields, n, fields, dim); // e_f [B, F, K]
    Tensor fm = BiInteraction.apply(tape, e); // h_fm = ½ [(Σ_f e_f)² − Σ_f e_f²] [B, K]
    Tensor flat = Reshape.apply(tape, e, n, fields * dim); // concat_f e_f [B, F·K]
    Tensor deep = dnn == null ? flat : dnn.forward(tape, flat); // h_dnn = ReLU(fc3(ReLU(fc2(ReLU(fc1(·))))))
    return Concat.apply(tape, fm, deep); // h = concat(h_fm, h_dnn)
  }

  /** The logit {@code [B, 1]} of encodings {@code h} ({@code [B, encoderDim()]}): the output layer, fc4. */
  public Tensor logit(Tape tape, Tensor encoding) {
    if (encoding.cols() != encoderDim()) {
      throw new IllegalArgumentException("an encoding of this DeepFM network has " + encoderDim() + " columns, got "
          + encoding);
    }
    return output.forward(tape, encoding); // logit = w·h + b
  }

  /** The logit {@code [B, 1]} of each example of the batch: {@code logit(tape, encode(tape, batch))}. */
  public Tensor logit(Tape tape, Batch batch) {
    return logit(tape, encode(tape, batch));
  }
}
