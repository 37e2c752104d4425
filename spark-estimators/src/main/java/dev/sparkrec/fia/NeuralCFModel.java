package dev.sparkrec.fia;

import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.PulledRowsScoring;
import dev.sparkrec.train.TrainedParameters;
import java.util.Map;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A fitted {@link NeuralCF}. Besides scoring and ALS-style recommendations it exposes the embeddings
 * ({@link #userFactors()}, {@link #itemFactors()}), the shared dense weights ({@link #denseWeights()}) and, for
 * influence analysis, the vectors {@code x_u = [pMLP_u; pGMF_u]}, {@code y_i = [qMLP_i; qGMF_i]} and their
 * {@link #predictor()}.
 */
public final class NeuralCFModel extends CollaborativeFilteringModel<NeuralCFModel> implements NeuralCfParams {

  private static final long serialVersionUID = 1L;

  /** An unfitted model (as Spark's reflection needs); {@link #transform} refuses it. */
  public NeuralCFModel(String uid) {
    this(uid, null);
  }

  NeuralCFModel(String uid, CfModelData data) {
    super(uid, data);
    NeuralCfParams.setDefaults(this);
  }

  @Override
  protected NeuralCFModel self() {
    return this;
  }

  /**
   * The network configuration of {@code p}'s params for the given sizes; the output bias starts at the mean
   * rating for "mse" and at the log-odds of the mean label for "bce", so training starts from the mean predictor.
   */
  static NeuralCfNetwork.Config networkConfig(NeuralCfParams p, int numUsers, int numItems, double globalMean,
      EmbeddingLayout layout) {
    double outputBias = NeuralCfNetwork.MSE.equals(p.getLoss()) ? globalMean
        : Math.log(clip(globalMean) / (1 - clip(globalMean))); // logit of the mean label
    return new NeuralCfNetwork.Config(numUsers, numItems, p.getEmbeddingDim(), p.getHiddenLayers(), p.getLoss(),
        p.getRegParam(), p.getDenseL2(), p.getInitStd(), outputBias, p.getSeed(), layout);
  }

  private static double clip(double p) {
    return Math.min(Math.max(p, 1e-6), 1 - 1e-6);
  }

  /** The width is the {@code embeddingDim} param's ({@code embeddingDim} agrees with it). */
  @Override
  ModelFactory networkFactory(int numUsers, int numItems, double globalMean, int embeddingDim,
      EmbeddingLayout layout) {
    return NeuralCfNetwork.factory(networkConfig(this, numUsers, numItems, globalMean, layout));
  }

  @Override
  boolean predictsProbabilities() {
    return NeuralCfNetwork.BCE.equals(getLoss());
  }

  /** {@code id: int, mlp: array<float>} ({@code pMLP_u}) and {@code gmf: array<float>} ({@code pGMF_u}) per user. */
  public Dataset<Row> userFactors() {
    return factorTable(true, userVectorParts(), new String[] {"mlp", "gmf"}, new boolean[] {false, false});
  }

  /** {@code id: int, mlp: array<float>} ({@code qMLP_i}) and {@code gmf: array<float>} ({@code qGMF_i}) per item. */
  public Dataset<Row> itemFactors() {
    return factorTable(false, itemVectorParts(), new String[] {"mlp", "gmf"}, new boolean[] {false, false});
  }

  @Override
  String[] userVectorParts() {
    return new String[] {NeuralCfNetwork.USER_MLP, NeuralCfNetwork.USER_GMF};
  }

  @Override
  String[] itemVectorParts() {
    return new String[] {NeuralCfNetwork.ITEM_MLP, NeuralCfNetwork.ITEM_GMF};
  }

  /** The hidden and output layers' weights and biases, shared by all users and items (copies). */
  public NeuralCfWeights denseWeights() {
    NeuralCfNetwork.Config config = networkConfig(this, data().users().size(), data().items().size(),
        data().globalMean(), EmbeddingLayout.uniform());
    // a network without embedding rows carries the shared weights: tables left in the cluster stay there, and no
    // table is copied or derived in full (under any layout the dense layers keep their names)
    TrainedParameters inCluster = data().inCluster();
    Map<String, float[]> dense = inCluster != null ? PulledRowsScoring.denseParameters(inCluster)
        : data().trainedParameters();
    return ((NeuralCfNetwork) PulledRowsScoring.network(NeuralCfNetwork.factory(config), dense)).sharedWeights();
  }

  /**
   * NeuMF's {@code f(x_u, y_i)} over {@link #userVectors()} and {@link #itemVectors()} with this model's dense
   * weights (held fixed), λ and loss, for influence analysis; with the "bce" loss {@code f} is the logit.
   */
  @Override
  public FactorizedPredictor predictor() {
    return new NeuralCfPredictor(denseWeights(), getRegParam(), getLoss());
  }

  @Override
  public NeuralCFModel copy(ParamMap extra) {
    NeuralCFModel copied = new NeuralCFModel(uid(), rawData());
    return copyValues(copied, extra).setParent(parent());
  }

  public static MLReader<NeuralCFModel> read() {
    return new CfModelReader<>(NeuralCFModel.class, NeuralCFModel::new);
  }

  public static NeuralCFModel load(String path) {
    return read().load(path);
  }
}
