package dev.sparkrec.fm;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.ParameterValues;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.embedding.EmbeddingTable;
import dev.sparkrec.nn.embedding.HasEmbeddingTables;
import dev.sparkrec.nn.embedding.TableInit;
import dev.sparkrec.nn.ops.Add;
import dev.sparkrec.nn.ops.BceWithLogits;
import dev.sparkrec.nn.ops.GatherRows;
import dev.sparkrec.nn.ops.PairwiseInteraction;
import dev.sparkrec.nn.ops.Sum;
import dev.sparkrec.nn.optim.L2Regularization;
import dev.sparkrec.train.Batch;
import dev.sparkrec.train.GradientTransform;
import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.TrainableModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A factorization machine for click-through rates (Rendle, ICDM 2010, eq. 1), as DNIS's reference FM computes it:
 * for an example with feature ids {@code id_f} and values {@code x_f} (1 without a value column) in {@code F}
 * fields,
 * <pre>
 *   logit = w0 + Σ_f b[id_f]·x_f + ½ Σ_k [(Σ_f v_{f,k})² − Σ_f v_{f,k}²],   v_f = E[id_f]·x_f,
 * </pre>
 * the last term being {@code Σ_{f<g} ⟨v_f, v_g⟩}, the pairwise interactions of the value-scaled embeddings
 * ({@link PairwiseInteraction}). The loss is the (weighted) binary cross-entropy of the logit.
 *
 * <p>Parameters, in {@link #parameters()} order: {@code fm.bias} (dense {@code [1]}, starts at 0),
 * {@code fm.linear} (sparse rows {@code [numFeatures × 1]}, start at 0) and the embedding table {@code fm.embedding}
 * ({@code [numFeatures × embeddingDim]}, N(0, initStd²)), built by the configuration's
 * {@link dev.sparkrec.nn.embedding.EmbeddingLayout}: one full table by default, or its layout's parameters
 * ({@code fm.embedding.block<b>} for mixed dimensions, {@code fm.embedding} and {@code fm.embedding.alpha} for a
 * soft selection). Both tables have sparse-row gradients, so a batch touches only the rows it looked up.
 *
 * <p>Holds no buffers of its own; like every network it is used by one thread at a time, one per training task, as
 * the trainer's {@link #factory} provides.
 */
public final class FmNetwork implements TrainableModel, HasEmbeddingTables {

  /** Name of the global bias {@code w0}. */
  public static final String BIAS = "fm.bias";
  /** Name of the first-order weights {@code b}, one per feature id. */
  public static final String LINEAR = "fm.linear";
  /** Name of the embedding table {@code E}; the names of its parameters start with it. */
  public static final String EMBEDDING = "fm.embedding";

  private final FmConfig config;
  private final int fields;
  private final int dim;
  private final Parameter bias;
  private final Parameter linear;
  private final EmbeddingTable embedding;
  private final List<Parameter> parameters;

  /** A network with freshly initialised parameters, the embeddings drawn from {@code config.seed()}. */
  public FmNetwork(FmConfig config) {
    this.config = Objects.requireNonNull(config, "config must not be null");
    this.fields = config.numFields();
    this.dim = config.embeddingDim();
    SplittableRandom seeds = new SplittableRandom(config.seed());
    long embeddingSeed = seeds.nextLong();

    bias = Parameter.dense(BIAS, 1); // w0 = 0
    linear = Parameter.sparseRows(LINEAR, config.numFeatures(), 1); // b = 0
    // E [N, K] ~ N(0, initStd²), stored as the layout chooses
    embedding = config.embeddingLayout().create(EMBEDDING, config.numFeatures(), dim,
        TableInit.normal(config.initStd()), embeddingSeed);
    List<Parameter> all = new ArrayList<>();
    all.add(bias);
    all.add(linear);
    all.addAll(embedding.parameters());
    this.parameters = List.copyOf(all);
  }

  /** A factory for the trainer's executors: builds {@code new FmNetwork(config)}; serializable. */
  public static ModelFactory factory(FmConfig config) {
    Objects.requireNonNull(config, "config must not be null");
    return () -> new FmNetwork(config);
  }

  /**
   * The gradient of the L2 penalty {@code (λ/2)·‖E[r]‖²} on every embedding row a batch touched (once per step
   * however often the batch looked the row up), whatever the layout stores; the bias and the first-order weights
   * are not penalised. {@code lambda} must be >= 0.
   */
  public static GradientTransform embeddingL2(double lambda) {
    new L2Regularization(0, lambda); // fails here, naming the weight, unless λ >= 0 and finite
    return parameters -> {
      List<Parameter> table = new ArrayList<>();
      for (Parameter p : parameters) {
        if (p.isSparseRows() && isEmbeddingParameter(p.name())) {
          table.add(p);
        }
      }
      new L2Regularization(0, lambda).addTo(table); // g ← g + λ·E[r] on the touched rows r
    };
  }

  /** Whether {@code name} is a parameter of the embedding table ({@code fm.embedding} or {@code fm.embedding.*}). */
  public static boolean isEmbeddingParameter(String name) {
    return name.equals(EMBEDDING) || name.startsWith(EMBEDDING + ".");
  }

  public FmConfig config() {
    return config;
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

  /** The embedding table {@code fm.embedding}. */
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

  /** The logit {@code [B]} of each example of the batch (eq. 1). */
  Tensor logit(Tape tape, Batch batch) {
    if (batch.fields() != fields) {
      throw new IllegalArgumentException("the batch has " + batch.fields() + " feature ids per example but the FM "
          + "network was configured with numFields = " + fields);
    }
    int n = batch.size();
    int count = n * fields;
    int[] ids = batch.ids();
    float[] x = batch.values(); // null: every value is 1
    Tensor first = Sum.apply(tape, GatherRows.apply(tape, linear, ids, x, count, n, fields), 1); // Σ_f b[id_f]·x_f
    Tensor v = embedding.lookUp(tape, ids, x, count, n, fields, dim); // v_f = E[id_f]·x_f, [B, F, K]
    Tensor second = PairwiseInteraction.apply(tape, v); // ½ Σ_k [(Σ_f v_{f,k})² − Σ_f v_{f,k}²]
    return Add.apply(tape, Add.apply(tape, first, second), bias.tensor()); // w0 + first + second
  }
}
