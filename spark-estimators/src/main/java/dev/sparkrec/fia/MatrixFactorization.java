package dev.sparkrec.fia;

import dev.sparkrec.ml.TableVocabulary;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.train.ModelFactory;
import java.util.List;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;
import dev.sparkrec.ml.EmbeddingEstimatorPersistence;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/**
 * Biased matrix factorisation for explicit ratings, {@code r̂ = μ + p_u·q_i + b_u + b_i}, trained by Adam on
 * SparkRec's distributed trainer with the objective influence analysis assumes: the mean over ratings of
 * {@code (r̂ − r)² + λ(‖p_u‖² + b_u² + ‖q_i‖² + b_i²)}, i.e. ALS's weighted-λ objective with biases
 * ({@link MatrixFactorizationNetwork}). {@code μ} is the (weighted) mean training rating, fixed.
 *
 * <p>Input: {@code userCol} and {@code itemCol} (int, or long within the int range, not null), {@code ratingCol}
 * (a finite number), optional {@code weightCol} and {@code validationIndicatorCol} (boolean; those rows only
 * select the best epoch and stop training early on validation RMSE). Ids are indexed in ascending order.
 *
 * <p>The training defaults (λ 0.1, Adam 0.003, mini-batches of 256, initStd 0.01, 20 epochs) were chosen on a
 * seeded 90/10 validation split of MovieLens-100K {@code u1.base}. With {@code rank} 16, trained on all of
 * {@code u1.base} on 2 partitions (about 4 s), they give RMSE 0.9215 on {@code u1.test}, where MLlib ALS (rank
 * 10–16, regParam 0.1) gives 0.9355.
 */
public final class MatrixFactorization
    extends CollaborativeFiltering<MatrixFactorization, MatrixFactorizationModel> {

  private static final long serialVersionUID = 1L;

  public MatrixFactorization() {
    this(Identifiable$.MODULE$.randomUID("mf"));
  }

  public MatrixFactorization(String uid) {
    super(uid);
    // Chosen on a seeded 90/10 split of MovieLens-100K u1.base (rank 16, 2 partitions): validation RMSE 0.9077 at
    // the best epoch (16), 0.9085 at epoch 20; λ 0.05 or 0.15, initStd 0.1 or 0.25, Adam 0.01 and averaging every
    // 8 mini-batches were each worse (0.913-0.926). λ 0.1, initStd 0.01, batches of 256: the shared defaults.
    setDefault(maxIter(), 20);
    setDefault(stepSize(), 0.003);
  }

  @Override
  protected MatrixFactorization self() {
    return this;
  }

  /** The rank of the factorization (an estimator param only, as in ALS: the model reports {@code rank()}). */
  public IntParam rank() {
    return param("rank", o -> new IntParam(o, "rank", "rank of the factorization (positive). Default: 10",
        ParamValidators.gt(0)), 10);
  }

  public int getRank() {
    return (Integer) getOrDefault(rank());
  }

  public MatrixFactorization setRank(int value) {
    set(rank(), value);
    return this;
  }

  @Override
  boolean binaryLabels() {
    return false;
  }

  @Override
  ModelFactory networkFactory(IdIndex users, IdIndex items, double globalMean, EmbeddingLayout layout) {
    return MatrixFactorizationNetwork.factory(MatrixFactorizationModel.networkConfig(this, users.size(),
        items.size(), getRank(), globalMean, layout));
  }

  /** {@code mf.userFactors}, {@code mf.itemFactors}; the biases are not embedding tables. */
  @Override
  List<String> embeddingTableNames() {
    return MatrixFactorizationNetwork.EMBEDDING_TABLES;
  }

  @Override
  List<TableVocabulary> vocabularies(long[] userCounts, long[] itemCounts) {
    return List.of(new TableVocabulary(MatrixFactorizationNetwork.USER_FACTORS, getRank(), userCounts),
        new TableVocabulary(MatrixFactorizationNetwork.ITEM_FACTORS, getRank(), itemCounts));
  }

  @Override
  MatrixFactorizationModel newModel(CfModelData data) {
    return new MatrixFactorizationModel(uid(), data);
  }

  public static MLReader<MatrixFactorization> read() {
    return EmbeddingEstimatorPersistence.reader(MatrixFactorization.class);
  }

  public static MatrixFactorization load(String path) {
    return read().load(path);
  }
}
