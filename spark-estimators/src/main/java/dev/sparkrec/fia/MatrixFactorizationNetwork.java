package dev.sparkrec.fia;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.nn.embedding.EmbeddingTable;
import dev.sparkrec.nn.embedding.HasEmbeddingTables;
import dev.sparkrec.nn.embedding.TableInit;
import dev.sparkrec.nn.ops.Add;
import dev.sparkrec.nn.ops.AddScalar;
import dev.sparkrec.nn.ops.GatherRows;
import dev.sparkrec.nn.ops.MseLoss;
import dev.sparkrec.nn.ops.Mul;
import dev.sparkrec.nn.ops.Reshape;
import dev.sparkrec.nn.ops.Sum;
import dev.sparkrec.train.Batch;
import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.TrainableModel;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Biased matrix factorisation as the trainer fits it: {@code r̂ = μ + p_u·q_i + b_u + b_i} with the global mean
 * {@code μ} fixed, and the training loss, over a batch of ratings {@code r} with weights {@code w},
 *
 * <pre>  L = Σ_e w_e [(r̂_e − r_e)² + λ(‖p_u‖² + b_u² + ‖q_i‖² + b_i²)] / Σ_e w_e</pre>
 *
 * so that every rating regularises its own user and item (ALS's weighted-λ objective, exactly the
 * {@link FactorizedPredictor} objective with {@code x_u = [p_u; b_u]}, {@code y_i = [q_i; b_i]}). A rating of weight
 * 0 contributes nothing. Batches hold feature ids {@code [userIndex, numUsers + itemIndex]} and the rating as label;
 * {@link #logits} writes {@code r̂}.
 *
 * <p>Parameters (sparse rows): {@code mf.userFactors} ({@code numUsers × rank}), {@code mf.userBias}
 * ({@code numUsers × 1}), {@code mf.itemFactors} ({@code numItems × rank}), {@code mf.itemBias}
 * ({@code numItems × 1}); factors start N(0, initStd²), biases at 0. The two factor tables are the network's
 * embedding tables ({@link #embeddingTables()}), built by the configuration's {@link EmbeddingLayout}: under another
 * layout than the default uniform one, a table's parameters take its place, named after it (e.g.
 * {@code mf.userFactors.block<b>}); the biases stay full tables. Single-threaded (reusable index buffers).
 */
public final class MatrixFactorizationNetwork implements TrainableModel, HasEmbeddingTables {

  /**
   * The sizes and fixed settings of a network; serializable, so executors can rebuild it.
   *
   * @param embeddingLayout how the factor tables are stored ({@link EmbeddingLayout#uniform()}: full tables)
   */
  public record Config(int numUsers, int numItems, int rank, double globalMean, double regParam, double initStd,
      long seed, EmbeddingLayout embeddingLayout) implements Serializable {

    /** A configuration with full factor tables. */
    public Config(int numUsers, int numItems, int rank, double globalMean, double regParam, double initStd,
        long seed) {
      this(numUsers, numItems, rank, globalMean, regParam, initStd, seed, EmbeddingLayout.uniform());
    }

    public Config {
      if (embeddingLayout == null) {
        throw new IllegalArgumentException("embeddingLayout must not be null (EmbeddingLayout.uniform() for full "
            + "tables)");
      }
      if (numUsers < 1 || numItems < 1 || rank < 1) {
        throw new IllegalArgumentException("matrix factorisation needs numUsers, numItems and rank >= 1, got "
            + numUsers + ", " + numItems + " and " + rank);
      }
      if (!Double.isFinite(globalMean) || !(regParam >= 0) || !(initStd >= 0) || Double.isInfinite(regParam)
          || Double.isInfinite(initStd)) {
        throw new IllegalArgumentException("globalMean must be finite and regParam, initStd finite and >= 0, got "
            + globalMean + ", " + regParam + ", " + initStd);
      }
    }
  }

  static final String USER_FACTORS = "mf.userFactors";
  static final String USER_BIAS = "mf.userBias";
  static final String ITEM_FACTORS = "mf.itemFactors";
  static final String ITEM_BIAS = "mf.itemBias";
  /** The embedding tables, in the order the network builds them. */
  static final List<String> EMBEDDING_TABLES = List.of(USER_FACTORS, ITEM_FACTORS);

  private final Config config;
  private final EmbeddingTable userFactors;
  private final Parameter userBias;
  private final EmbeddingTable itemFactors;
  private final Parameter itemBias;
  private final List<Parameter> parameters;
  private final RatingBatch ratings;

  /** A network with factors drawn from {@code config.seed()}. */
  public MatrixFactorizationNetwork(Config config) {
    this.config = config;
    SplittableRandom seeds = new SplittableRandom(config.seed());
    EmbeddingLayout layout = config.embeddingLayout();
    TableInit init = TableInit.normal(config.initStd());
    userFactors = layout.create(USER_FACTORS, config.numUsers(), config.rank(), init, seeds.nextLong());
    userBias = Parameter.sparseRows(USER_BIAS, config.numUsers(), 1);
    itemFactors = layout.create(ITEM_FACTORS, config.numItems(), config.rank(), init, seeds.nextLong());
    itemBias = Parameter.sparseRows(ITEM_BIAS, config.numItems(), 1);
    List<Parameter> all = new ArrayList<>(userFactors.parameters());
    all.add(userBias);
    all.addAll(itemFactors.parameters());
    all.add(itemBias);
    parameters = Collections.unmodifiableList(all);
    ratings = new RatingBatch(config.numUsers(), config.numItems());
  }

  /** A network holding {@code values} (by parameter name, as {@link #parameterValues} or the trainer gives them). */
  public MatrixFactorizationNetwork(Config config, Map<String, float[]> values) {
    this(config);
    dev.sparkrec.nn.ParameterValues.copyInto(parameters, values);
  }

  /** Builds {@code new MatrixFactorizationNetwork(config)} on executors. */
  public static ModelFactory factory(Config config) {
    return new Factory(config);
  }

  public Config config() {
    return config;
  }

  /**
   * The loss documented on the class: weighted mean squared error plus the per-rating penalty
   * {@code λ(‖p_u‖² + b_u² + ‖q_i‖² + b_i²)}, both averaged with the same weights.
   */
  @Override
  public Tensor loss(Tape tape, Batch batch) {
    Rows rows = lookUp(tape, batch);
    int n = batch.size();
    Tensor prediction = predict(tape, rows, n);
    Tensor squaredError = MseLoss.apply(tape, prediction, Tensor.constant(batch.labels(), n), batch.weights());
    Tensor penalty = PerRatingL2Penalty.apply(tape, config.regParam(), batch.weights(), n, rows.p, rows.bu, rows.q,
        rows.bi); // λ(‖p_u‖² + b_u² + ‖q_i‖² + b_i²)
    return Add.apply(tape, squaredError, penalty);
  }

  /** The weighted mean squared error alone, without the per-rating penalty. */
  @Override
  public Tensor validationLoss(Tape tape, Batch batch) {
    int n = batch.size();
    Tensor prediction = predict(tape, lookUp(tape, batch), n);
    return MseLoss.apply(tape, prediction, Tensor.constant(batch.labels(), n), batch.weights());
  }

  /** Writes {@code r̂ = μ + p_u·q_i + b_u + b_i} of each example to {@code out}. */
  @Override
  public void logits(Tape tape, Batch batch, float[] out) {
    Tensor prediction = predict(tape, lookUp(tape, batch), batch.size());
    System.arraycopy(prediction.data(), 0, out, 0, batch.size());
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  /** {@code mf.userFactors}, then {@code mf.itemFactors}. */
  @Override
  public List<EmbeddingTable> embeddingTables() {
    return List.of(userFactors, itemFactors);
  }

  /** Copies of the parameters by name, in {@link #parameters()} order. */
  public Map<String, float[]> parameterValues() {
    return dev.sparkrec.nn.ParameterValues.copyOf(parameters);
  }

  private record Rows(Tensor p, Tensor bu, Tensor q, Tensor bi) {}

  private Rows lookUp(Tape tape, Batch batch) {
    ratings.read(batch);
    int n = batch.size();
    int k = config.rank();
    return new Rows(userFactors.lookUp(tape, ratings.users(), null, n, n, k),
        GatherRows.apply(tape, userBias, ratings.users(), null, n, n, 1),
        itemFactors.lookUp(tape, ratings.items(), null, n, n, k),
        GatherRows.apply(tape, itemBias, ratings.items(), null, n, n, 1));
  }

  private Tensor predict(Tape tape, Rows rows, int n) {
    Tensor dot = Sum.apply(tape, Mul.apply(tape, rows.p, rows.q), 1); // p_u·q_i, shape [n]
    Tensor biased = Add.apply(tape, Add.apply(tape, dot, Reshape.apply(tape, rows.bu, n)),
        Reshape.apply(tape, rows.bi, n)); // + b_u + b_i
    return AddScalar.apply(tape, biased, (float) config.globalMean()); // + μ
  }

  /** Builds the network from its configuration on an executor. */
  private static final class Factory implements ModelFactory {
    private static final long serialVersionUID = 1L;
    private final Config config;

    Factory(Config config) {
      this.config = config;
    }

    @Override
    public TrainableModel create() {
      return new MatrixFactorizationNetwork(config);
    }
  }
}
