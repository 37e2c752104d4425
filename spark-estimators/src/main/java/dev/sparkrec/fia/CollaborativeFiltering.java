package dev.sparkrec.fia;

import static org.apache.spark.sql.functions.col;

import dev.sparkrec.ml.EmbeddingDimensions;
import dev.sparkrec.ml.EmbeddingEstimator;
import dev.sparkrec.ml.EmbeddingEstimatorPersistence;
import dev.sparkrec.ml.EmbeddingSupport;
import dev.sparkrec.ml.TableVocabulary;
import dev.sparkrec.ml.param.HasRatingCol;
import dev.sparkrec.ml.param.HasWeightCol;
import dev.sparkrec.ml.param.ParamRegistry;
import dev.sparkrec.ml.param.TrainingParams;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.train.DimensionSearch;
import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.TrainingListener;
import dev.sparkrec.train.TrainingListeners;
import dev.sparkrec.train.TrainingResult;
import dev.sparkrec.train.TrainingSummary;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * What the collaborative-filtering estimators share: the setters of the shared params, the schema check and
 * {@code fit}, which checks and indexes the ratings ({@link RatingData}), trains the subclass's network on
 * SparkRec's trainer ({@link CfTraining}) and wraps the result in the subclass's model.
 *
 * <p>The embedding seam ({@link EmbeddingEstimator}): the user and item embedding tables have one row per
 * training user or item, indexed as {@code fit} indexes them (ids in ascending order).
 * {@link #setEmbeddingDimensions} trains every later fit with searched per-block dimensions;
 * {@link #fitWithEmbeddings} fits with any layout, and runs a dimension search on the validation rows.
 *
 * @param <S> the estimator itself, so that setters chain
 * @param <M> the model it fits
 */
public abstract class CollaborativeFiltering<S extends CollaborativeFiltering<S, M>,
    M extends CollaborativeFilteringModel<M>> extends Estimator<M>
    implements CfParams, TrainingParams, HasRatingCol, HasWeightCol, DefaultParamsWritable, EmbeddingEstimator<M> {

  private static final long serialVersionUID = 1L;

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();
  private transient TrainingListeners<M> listeners = new TrainingListeners<>();
  private EmbeddingLayout embeddingLayout = EmbeddingLayout.uniform();

  /** Sets the defaults these estimators share; a subclass adds its own (maxIter, stepSize, sizes). */
  protected CollaborativeFiltering(String uid) {
    this.uid = uid;
    CfParams.setDefaults(this);
    setDefault(batchSize(), 256);
    setDefault(patience(), 3);
  }

  @Override
  public final ParamRegistry paramRegistry() {
    return paramRegistry;
  }

  @Override
  public final String uid() {
    return uid;
  }

  /** This estimator, typed for chained setters. */
  protected abstract S self();

  /** Whether labels are 0/1 (implicit feedback) rather than ratings. */
  abstract boolean binaryLabels();

  /** Builds the untrained network for the indexed data, its embedding tables built by {@code layout}. */
  abstract ModelFactory networkFactory(IdIndex users, IdIndex items, double globalMean, EmbeddingLayout layout);

  /** The network's embedding tables, in the order it builds them. */
  abstract List<String> embeddingTableNames();

  /** The network's embedding tables with their rows' counts: a user table gets {@code userCounts}. */
  abstract List<TableVocabulary> vocabularies(long[] userCounts, long[] itemCounts);

  /** The model holding {@code data}, before params are copied onto it. */
  abstract M newModel(CfModelData data);

  public S setUserCol(String value) {
    set(userCol(), value);
    return self();
  }

  public S setItemCol(String value) {
    set(itemCol(), value);
    return self();
  }

  public S setRatingCol(String value) {
    set(ratingCol(), value);
    return self();
  }

  public S setWeightCol(String value) {
    set(weightCol(), value);
    return self();
  }

  public S setValidationIndicatorCol(String value) {
    set(validationIndicatorCol(), value);
    return self();
  }

  public S setPredictionCol(String value) {
    set(predictionCol(), value);
    return self();
  }

  public S setColdStartStrategy(String value) {
    set(coldStartStrategy(), value);
    return self();
  }

  public S setRegParam(double value) {
    set(regParam(), value);
    return self();
  }

  public S setInitStd(double value) {
    set(initStd(), value);
    return self();
  }

  public S setMaxIter(int value) {
    set(maxIter(), value);
    return self();
  }

  public S setStepSize(double value) {
    set(stepSize(), value);
    return self();
  }

  public S setBatchSize(int value) {
    set(batchSize(), value);
    return self();
  }

  public S setPatience(int value) {
    set(patience(), value);
    return self();
  }

  public S setSyncEveryBatches(int value) {
    set(syncEveryBatches(), value);
    return self();
  }

  public S setEmbeddingSync(String value) {
    set(embeddingSync(), value);
    return self();
  }

  public S setSeed(long value) {
    set(seed(), value);
    return self();
  }

  public S setNumPartitions(int value) {
    set(numPartitions(), value);
    return self();
  }

  /**
   * Adds a listener called on the driver after every epoch of {@link #fit} with the epoch's report and, on
   * request, the model training would return if it stopped now; listeners are copied by {@link #copy} but not
   * saved with the estimator. Returns this.
   */
  public S addTrainingListener(TrainingListener<? super M> listener) {
    listeners().add(listener);
    return self();
  }

  private TrainingListeners<M> listeners() {
    if (listeners == null) {
      listeners = new TrainingListeners<>();
    }
    return listeners;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    RatingSchema.requireTrainingColumns(schema, this);
    return RatingSchema.appendPrediction(schema, this);
  }

  /**
   * Trains every later fit (and every copy) with searched embedding dimensions: a table of their layout is stored
   * per block in its searched widths. Not a param: the estimator saves them beside its params, and loading sets them
   * again. Returns this.
   */
  @Override
  public S setEmbeddingDimensions(EmbeddingDimensions dimensions) {
    embeddingLayout = Objects.requireNonNull(dimensions, "dimensions must not be null").layout();
    return self();
  }

  @Override
  public EmbeddingLayout embeddingLayout() {
    return embeddingLayout;
  }

  @Override
  public M fit(Dataset<?> dataset) {
    return fitWithEmbeddings(dataset, embeddingLayout, null);
  }

  /**
   * Every embedding table with how often each of its users or items occurs in the training rows (rows flagged by
   * {@code validationIndicatorCol} are not counted): the data is checked and indexed as {@code fit} does, so row
   * {@code r} of a user table is the user of index {@code r} ({@link CollaborativeFilteringModel#userIds()}), and
   * counted by Spark.
   */
  @Override
  public List<TableVocabulary> embeddingVocabularies(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    RatingData data = RatingData.prepare(dataset, this, binaryLabels());
    int numUsers = data.users().size();
    Column ids = col(RatingData.FEATURE_IDS); // [userIndex, numUsers + itemIndex]
    return vocabularies(countRows(data.train().select(ids.getItem(0).as("row")), numUsers),
        countRows(data.train().select(ids.getItem(1).minus(numUsers).as("row")), data.items().size()));
  }

  /** Occurrences of every row index in {@code [0, rows)} in the column {@code row} of {@code ids}. */
  private static long[] countRows(Dataset<Row> ids, int rows) {
    long[] counts = new long[rows];
    for (Row r : ids.groupBy("row").count().collectAsList()) {
      counts[r.getInt(0)] = r.getLong(1);
    }
    return counts;
  }

  /**
   * Fits with the embedding tables built by {@code layout}; with a {@code search}, the fit is a dimension search
   * whose selection weights step on the rows flagged by {@code validationIndicatorCol}, which must then be set.
   * A layout naming a table the network does not build, or whose blocks cover another number of rows than the
   * table's training users or items, fails before training.
   */
  @Override
  public M fitWithEmbeddings(Dataset<?> dataset, EmbeddingLayout layout, DimensionSearch search) {
    transformSchema(dataset.schema());
    EmbeddingSupport.requireKnownTables(layout, search, embeddingTableNames(), getClass().getSimpleName());
    if (search != null && getValidationIndicatorCol().isEmpty()) {
      throw new IllegalArgumentException("A dimension search steps its selection weights on validation rows; set "
          + "validationIndicatorCol to the column flagging them.");
    }
    RatingData data = RatingData.prepare(dataset, this, binaryLabels());
    ModelFactory factory = networkFactory(data.users(), data.items(), data.globalMean(), layout);
    TrainingResult result = CfTraining.fit(data, this, factory, binaryLabels() ? "logloss" : "rmse", search,
        listeners(), parameters -> modelOf(data, parameters, layout, factory, null));
    return modelOf(data, result.bestParameters(), layout, factory, result.summary()).setParent(this);
  }

  /**
   * The model, with this estimator's params, holding {@code parameters} of the network {@code factory} builds
   * under {@code layout}, trained on {@code data}.
   */
  private M modelOf(RatingData data, Map<String, float[]> parameters, EmbeddingLayout layout, ModelFactory factory,
      TrainingSummary summary) {
    M model = newModel(CfModelData.of(data.users(), data.items(), data.globalMean(), parameters, layout, factory,
        summary));
    copyValues(model, ParamMap.empty());
    return model;
  }

  /** Keeps the listeners and the embedding dimensions. */
  @Override
  public S copy(ParamMap extra) {
    S copied = defaultCopy(extra);
    CollaborativeFiltering<S, M> target = copied;
    target.listeners().addAll(listeners());
    target.embeddingLayout = embeddingLayout;
    return copied;
  }

  /** Saves the params and, when set, the searched embedding dimensions ({@link EmbeddingEstimatorPersistence}). */
  @Override
  public MLWriter write() {
    return EmbeddingEstimatorPersistence.writer(this);
  }

}
