package dev.sparkrec.fia;

import dev.sparkrec.nn.Initializers;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.nn.embedding.EmbeddingTable;
import dev.sparkrec.nn.embedding.HasEmbeddingTables;
import dev.sparkrec.nn.embedding.TableInit;
import dev.sparkrec.nn.layers.Linear;
import dev.sparkrec.nn.layers.Mlp;
import dev.sparkrec.nn.ops.Add;
import dev.sparkrec.nn.ops.BceWithLogits;
import dev.sparkrec.nn.ops.Concat;
import dev.sparkrec.nn.ops.MseLoss;
import dev.sparkrec.nn.ops.Mul;
import dev.sparkrec.nn.ops.Scale;
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
 * NeuMF (He et al., WWW'17) in the layout of {@link NeuralCfWeights}, as the trainer fits it. With embedding size
 * {@code k}, separate embeddings for the two paths and {@code Linear} layers {@code y = x·W + b}:
 *
 * <pre>  h_0 = [pMLP_u; qMLP_i],  h_l = ReLU(h_{l−1}·W_l + b_l),  g = pGMF_u ⊙ qGMF_i,  f = [h_L; g]·w + b</pre>
 *
 * The loss over a batch with weights {@code w_e} is the weighted mean of {@code loss(f_e, r_e)} (squared error
 * {@code (f − r)²} for ratings, or binary cross-entropy on the logit {@code f} for 0/1 labels) plus the per-rating
 * penalty {@code λ(‖pMLP_u‖² + ‖qMLP_i‖² + ‖pGMF_u‖² + ‖qGMF_i‖²)} averaged with the same weights, plus
 * {@code denseL2 · Σ_l ‖W_l‖²} over the hidden and output weight matrices (biases excluded) once per batch.
 * {@link #logits} writes {@code f}.
 *
 * <p>Parameters: {@code ncf.userMlp}, {@code ncf.itemMlp}, {@code ncf.userGmf}, {@code ncf.itemGmf} (sparse rows,
 * {@code k} wide, N(0, initStd²)), {@code ncf.mlp.hidden<l>.weight/bias} (Xavier-uniform, zero bias),
 * {@code ncf.output.weight} ({@code (h_L + k) × 1}, Xavier-uniform) and {@code ncf.output.bias}, which starts at
 * {@code outputBias} (the mean rating, so training starts from the global-mean predictor). The four embeddings
 * are the network's embedding tables ({@link #embeddingTables()}), built by the configuration's
 * {@link EmbeddingLayout}: under another layout than the default uniform one, a table's parameters take its place,
 * named after it (e.g. {@code ncf.userMlp.block<b>}). Single-threaded.
 */
public final class NeuralCfNetwork implements TrainableModel, HasEmbeddingTables {

  /** {@code loss} value: squared error on ratings. */
  public static final String MSE = "mse";
  /** {@code loss} value: binary cross-entropy on 0/1 labels; {@code f} is a logit. */
  public static final String BCE = "bce";

  /**
   * The sizes and fixed settings of a network; serializable, so executors can rebuild it.
   *
   * @param embeddingLayout how the four embedding tables are stored ({@link EmbeddingLayout#uniform()}: full
   *     tables)
   */
  public record Config(int numUsers, int numItems, int embeddingDim, int[] hiddenLayers, String loss,
      double regParam, double denseL2, double initStd, double outputBias, long seed, EmbeddingLayout embeddingLayout)
      implements Serializable {

    /** A configuration with full embedding tables. */
    public Config(int numUsers, int numItems, int embeddingDim, int[] hiddenLayers, String loss, double regParam,
        double denseL2, double initStd, double outputBias, long seed) {
      this(numUsers, numItems, embeddingDim, hiddenLayers, loss, regParam, denseL2, initStd, outputBias, seed,
          EmbeddingLayout.uniform());
    }

    public Config {
      if (embeddingLayout == null) {
        throw new IllegalArgumentException("embeddingLayout must not be null (EmbeddingLayout.uniform() for full "
            + "tables)");
      }
      if (numUsers < 1 || numItems < 1 || embeddingDim < 1) {
        throw new IllegalArgumentException("NeuMF needs numUsers, numItems and embeddingDim >= 1, got " + numUsers
            + ", " + numItems + " and " + embeddingDim);
      }
      for (int size : hiddenLayers) {
        if (size < 1) {
          throw new IllegalArgumentException("hidden layer sizes must be >= 1, got " + java.util.Arrays.toString(
              hiddenLayers));
        }
      }
      if (!MSE.equals(loss) && !BCE.equals(loss)) {
        throw new IllegalArgumentException("loss must be '" + MSE + "' or '" + BCE + "', got '" + loss + "'");
      }
      if (!(regParam >= 0) || !(denseL2 >= 0) || !(initStd >= 0) || Double.isInfinite(regParam)
          || Double.isInfinite(denseL2) || Double.isInfinite(initStd) || !Double.isFinite(outputBias)) {
        throw new IllegalArgumentException("regParam, denseL2 and initStd must be finite and >= 0 and outputBias "
            + "finite, got " + regParam + ", " + denseL2 + ", " + initStd + ", " + outputBias);
      }
      hiddenLayers = hiddenLayers.clone();
    }

    @Override
    public int[] hiddenLayers() {
      return hiddenLayers.clone();
    }
  }

  static final String USER_MLP = "ncf.userMlp";
  static final String ITEM_MLP = "ncf.itemMlp";
  static final String USER_GMF = "ncf.userGmf";
  static final String ITEM_GMF = "ncf.itemGmf";
  /** The embedding tables, in the order the network builds them. */
  static final List<String> EMBEDDING_TABLES = List.of(USER_MLP, ITEM_MLP, USER_GMF, ITEM_GMF);

  private final Config config;
  private final EmbeddingTable userMlp;
  private final EmbeddingTable itemMlp;
  private final EmbeddingTable userGmf;
  private final EmbeddingTable itemGmf;
  private final Mlp mlp;
  private final Linear output;
  private final List<Parameter> denseWeights;
  private final List<Parameter> parameters;
  private final RatingBatch ratings;

  /** A network with weights drawn from {@code config.seed()}. */
  public NeuralCfNetwork(Config config) {
    this.config = config;
    int k = config.embeddingDim();
    int[] hidden = config.hiddenLayers();
    SplittableRandom seeds = new SplittableRandom(config.seed());
    userMlp = embedding(USER_MLP, config.numUsers(), seeds.nextLong());
    itemMlp = embedding(ITEM_MLP, config.numItems(), seeds.nextLong());
    userGmf = embedding(USER_GMF, config.numUsers(), seeds.nextLong());
    itemGmf = embedding(ITEM_GMF, config.numItems(), seeds.nextLong());
    long mlpSeed = seeds.nextLong();
    mlp = hidden.length == 0 ? null
        : Mlp.builder("ncf.mlp", 2 * k).hidden(hidden).output(false).seed(mlpSeed).build();
    int top = hidden.length == 0 ? 2 * k : hidden[hidden.length - 1];
    output = new Linear("ncf.output", top + k, 1, seeds.nextLong());
    Initializers.constant(output.bias(), (float) config.outputBias());

    List<Parameter> all = new ArrayList<>();
    for (EmbeddingTable table : embeddingTables()) {
      all.addAll(table.parameters());
    }
    List<Parameter> weights = new ArrayList<>();
    if (mlp != null) {
      all.addAll(mlp.parameters());
      mlp.hiddenLayers().forEach(layer -> weights.add(layer.weight()));
    }
    all.addAll(output.parameters());
    weights.add(output.weight());
    parameters = Collections.unmodifiableList(all);
    denseWeights = Collections.unmodifiableList(weights);
    ratings = new RatingBatch(config.numUsers(), config.numItems());
  }

  /** A network holding {@code values} (by parameter name, as {@link #parameterValues} or the trainer gives them). */
  public NeuralCfNetwork(Config config, Map<String, float[]> values) {
    this(config);
    dev.sparkrec.nn.ParameterValues.copyInto(parameters, values);
  }

  private EmbeddingTable embedding(String name, int rows, long seed) {
    return config.embeddingLayout().create(name, rows, config.embeddingDim(), TableInit.normal(config.initStd()),
        seed);
  }

  /** Builds {@code new NeuralCfNetwork(config)} on executors. */
  public static ModelFactory factory(Config config) {
    return new Factory(config);
  }

  public Config config() {
    return config;
  }

  /** The loss documented on the class. */
  @Override
  public Tensor loss(Tape tape, Batch batch) {
    Rows rows = lookUp(tape, batch);
    int n = batch.size();
    Tensor fit = fit(tape, batch, rows);
    Tensor penalty = PerRatingL2Penalty.apply(tape, config.regParam(), batch.weights(), n, rows.userMlp,
        rows.itemMlp, rows.userGmf, rows.itemGmf); // λ(‖pMLP_u‖² + ‖qMLP_i‖² + ‖pGMF_u‖² + ‖qGMF_i‖²)
    Tensor loss = Add.apply(tape, fit, penalty);
    if (config.denseL2() > 0) {
      loss = Add.apply(tape, loss, denseWeightPenalty(tape));
    }
    return loss;
  }

  /** The data term alone: the weighted mean squared error, or BCE with the "bce" loss. */
  @Override
  public Tensor validationLoss(Tape tape, Batch batch) {
    return fit(tape, batch, lookUp(tape, batch));
  }

  private Tensor fit(Tape tape, Batch batch, Rows rows) {
    int n = batch.size();
    Tensor f = forward(tape, rows, n);
    return MSE.equals(config.loss())
        ? MseLoss.apply(tape, f, Tensor.constant(batch.labels(), n), batch.weights()) // Σ w (f − r)² / Σ w
        : BceWithLogits.apply(tape, f, batch.labels(), batch.weights()); // Σ w BCE(f, r) / Σ w
  }

  /** Writes {@code f} (the predicted rating, or the logit with the "bce" loss) of each example to {@code out}. */
  @Override
  public void logits(Tape tape, Batch batch, float[] out) {
    Tensor f = forward(tape, lookUp(tape, batch), batch.size());
    System.arraycopy(f.data(), 0, out, 0, batch.size());
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  /** {@code ncf.userMlp}, {@code ncf.itemMlp}, {@code ncf.userGmf}, {@code ncf.itemGmf}. */
  @Override
  public List<EmbeddingTable> embeddingTables() {
    return List.of(userMlp, itemMlp, userGmf, itemGmf);
  }

  /** Copies of the parameters by name, in {@link #parameters()} order. */
  public Map<String, float[]> parameterValues() {
    return dev.sparkrec.nn.ParameterValues.copyOf(parameters);
  }

  /** The shared weights in {@link NeuralCfWeights}' layout (copies). */
  public NeuralCfWeights sharedWeights() {
    int layers = mlp == null ? 0 : mlp.hiddenLayers().size();
    float[][] hiddenWeights = new float[layers][];
    float[][] hiddenBiases = new float[layers][];
    for (int l = 0; l < layers; l++) {
      Linear layer = mlp.hiddenLayers().get(l);
      hiddenWeights[l] = layer.weight().data().clone();
      hiddenBiases[l] = layer.bias().data().clone();
    }
    return new NeuralCfWeights(config.embeddingDim(), hiddenWeights, hiddenBiases, output.weight().data().clone(),
        output.bias().data()[0]);
  }

  private record Rows(Tensor userMlp, Tensor itemMlp, Tensor userGmf, Tensor itemGmf) {}

  private Rows lookUp(Tape tape, Batch batch) {
    ratings.read(batch);
    int n = batch.size();
    int k = config.embeddingDim();
    return new Rows(userMlp.lookUp(tape, ratings.users(), null, n, n, k),
        itemMlp.lookUp(tape, ratings.items(), null, n, n, k),
        userGmf.lookUp(tape, ratings.users(), null, n, n, k),
        itemGmf.lookUp(tape, ratings.items(), null, n, n, k));
  }

  private Tensor forward(Tape tape, Rows rows, int n) {
    Tensor h = Concat.apply(tape, rows.userMlp, rows.itemMlp); // h_0 = [pMLP_u; qMLP_i]
    if (mlp != null) {
      h = mlp.forward(tape, h); // h_l = ReLU(h_{l−1}·W_l + b_l)
    }
    Tensor g = Mul.apply(tape, rows.userGmf, rows.itemGmf); // g = pGMF_u ⊙ qGMF_i
    return output.forward(tape, Concat.apply(tape, h, g)); // f = [h_L; g]·w + b, shape [n, 1]
  }

  /** {@code denseL2 · Σ_l ‖W_l‖²} over the hidden and output weight matrices. */
  private Tensor denseWeightPenalty(Tape tape) {
    Tensor sum = null;
    for (Parameter w : denseWeights) {
      Tensor squares = Sum.apply(tape, Mul.apply(tape, w.tensor(), w.tensor())); // ‖W_l‖²
      sum = sum == null ? squares : Add.apply(tape, sum, squares);
    }
    return Scale.apply(tape, sum, (float) config.denseL2());
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
      return new NeuralCfNetwork(config);
    }
  }
}
