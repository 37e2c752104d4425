package dev.sparkrec.fia;

import dev.sparkrec.ml.param.HasRatingCol;
import dev.sparkrec.ml.param.HasWeightCol;
import dev.sparkrec.ml.param.ParamRegistry;
import dev.sparkrec.ml.param.TrainingParams;
import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.TrainingListener;
import dev.sparkrec.train.TrainingListeners;
import dev.sparkrec.train.TrainingResult;
import dev.sparkrec.train.TrainingSummary;
import java.util.Map;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * What the collaborative-filtering estimators share: the setters of the shared params, the schema check and
 * {@code fit}, which checks and indexes the ratings ({@link RatingData}), trains the subclass's network on
 * SparkRec's trainer ({@link CfTraining}) and wraps the result in the subclass's model.
 *
 * @param <S> the estimator itself, so that setters chain
 * @param <M> the model it fits
 */
public abstract class CollaborativeFiltering<S extends CollaborativeFiltering<S, M>,
    M extends CollaborativeFilteringModel<M>> extends Estimator<M>
    implements CfParams, TrainingParams, HasRatingCol, HasWeightCol, DefaultParamsWritable {

  private static final long serialVersionUID = 1L;

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();
  private transient TrainingListeners<M> listeners = new TrainingListeners<>();

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

  /** Builds the untrained network for the indexed data. */
  abstract ModelFactory networkFactory(IdIndex users, IdIndex items, double globalMean);

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

  @Override
  public M fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    RatingData data = RatingData.prepare(dataset, this, binaryLabels());
    ModelFactory factory = networkFactory(data.users(), data.items(), data.globalMean());
    TrainingResult result = CfTraining.fit(data, this, factory, binaryLabels() ? "logloss" : "rmse", listeners(),
        parameters -> modelOf(data, parameters, null));
    return modelOf(data, result.bestParameters(), result.summary()).setParent(this);
  }

  /** The model, with this estimator's params, holding {@code parameters} trained on {@code data}. */
  private M modelOf(RatingData data, Map<String, float[]> parameters, TrainingSummary summary) {
    M model = newModel(new CfModelData(data.users(), data.items(), data.globalMean(), parameters, summary));
    copyValues(model, ParamMap.empty());
    return model;
  }

  @Override
  public S copy(ParamMap extra) {
    S copied = defaultCopy(extra);
    CollaborativeFiltering<S, M> target = copied;
    target.listeners().addAll(listeners());
    return copied;
  }
}
