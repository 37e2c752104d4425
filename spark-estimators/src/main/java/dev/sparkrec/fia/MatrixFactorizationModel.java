package dev.sparkrec.fia;

import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.train.ModelFactory;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A fitted {@link MatrixFactorization}: {@code r̂ = μ + p_u·q_i + b_u + b_i}. Besides scoring and ALS-style
 * recommendations it exposes the factors ({@link #userFactors()}, {@link #itemFactors()}), and, for influence
 * analysis, the vectors {@code x_u = [p_u; b_u]}, {@code y_i = [q_i; b_i]} and their {@link #predictor()}.
 */
public final class MatrixFactorizationModel extends CollaborativeFilteringModel<MatrixFactorizationModel> {

  private static final long serialVersionUID = 1L;

  /** An unfitted model (as Spark's reflection needs); {@link #transform} refuses it. */
  public MatrixFactorizationModel(String uid) {
    this(uid, null);
  }

  MatrixFactorizationModel(String uid, CfModelData data) {
    super(uid, data);
  }

  @Override
  protected MatrixFactorizationModel self() {
    return this;
  }

  /** The network configuration of {@code p}'s params for the given sizes and embedding layout. */
  static MatrixFactorizationNetwork.Config networkConfig(CfParams p, int numUsers, int numItems, int rank,
      double globalMean, EmbeddingLayout layout) {
    return new MatrixFactorizationNetwork.Config(numUsers, numItems, rank, globalMean, p.getRegParam(),
        p.getInitStd(), p.getSeed(), layout);
  }

  @Override
  ModelFactory networkFactory(int numUsers, int numItems, double globalMean, int rank, EmbeddingLayout layout) {
    return MatrixFactorizationNetwork.factory(networkConfig(this, numUsers, numItems, rank, globalMean, layout));
  }

  @Override
  boolean predictsProbabilities() {
    return false;
  }

  /** The rank {@code k} of the factors. */
  public int rank() {
    return data().embeddingDim();
  }

  /** {@code μ}, the weighted mean training rating. */
  public double globalMean() {
    return data().globalMean();
  }

  /** {@code id: int, features: array<float>} ({@code p_u}) and {@code bias: float} ({@code b_u}) per user. */
  public Dataset<Row> userFactors() {
    return factorTable(true, new String[] {MatrixFactorizationNetwork.USER_FACTORS,
        MatrixFactorizationNetwork.USER_BIAS}, new String[] {"features", "bias"}, new boolean[] {false, true});
  }

  /** {@code id: int, features: array<float>} ({@code q_i}) and {@code bias: float} ({@code b_i}) per item. */
  public Dataset<Row> itemFactors() {
    return factorTable(false, new String[] {MatrixFactorizationNetwork.ITEM_FACTORS,
        MatrixFactorizationNetwork.ITEM_BIAS}, new String[] {"features", "bias"}, new boolean[] {false, true});
  }

  @Override
  String[] userVectorParts() {
    return new String[] {MatrixFactorizationNetwork.USER_FACTORS, MatrixFactorizationNetwork.USER_BIAS};
  }

  @Override
  String[] itemVectorParts() {
    return new String[] {MatrixFactorizationNetwork.ITEM_FACTORS, MatrixFactorizationNetwork.ITEM_BIAS};
  }

  /**
   * {@code f(x_u, y_i) = μ + p_u·q_i + b_u + b_i} over {@link #userVectors()} and {@link #itemVectors()}, with this
   * model's λ, for influence analysis.
   */
  @Override
  public FactorizedPredictor predictor() {
    return new FactorPredictor(rank(), true, globalMean(), getRegParam());
  }

  @Override
  public MatrixFactorizationModel copy(ParamMap extra) {
    MatrixFactorizationModel copied = new MatrixFactorizationModel(uid(), rawData());
    return copyValues(copied, extra).setParent(parent());
  }

  public static MLReader<MatrixFactorizationModel> read() {
    return new CfModelReader<>(MatrixFactorizationModel.class, MatrixFactorizationModel::new);
  }

  public static MatrixFactorizationModel load(String path) {
    return read().load(path);
  }
}
