package dev.sparkrec.fm;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.not;

import dev.sparkrec.ml.CtrIdSpace;
import dev.sparkrec.ml.CtrSchema;
import dev.sparkrec.ml.EmbeddingDimensions;
import dev.sparkrec.ml.EmbeddingEstimator;
import dev.sparkrec.ml.EmbeddingEstimatorPersistence;
import dev.sparkrec.ml.TableVocabulary;
import dev.sparkrec.ml.param.HasRegParam;
import dev.sparkrec.ml.param.HasWeightCol;
import dev.sparkrec.ml.param.ParamRegistry;
import dev.sparkrec.ml.param.TrainingParams;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.train.DimensionSearch;
import dev.sparkrec.train.ExampleColumns;
import dev.sparkrec.train.Trainer;
import dev.sparkrec.train.TrainingConfig;
import dev.sparkrec.train.TrainingListener;
import dev.sparkrec.train.TrainingListeners;
import dev.sparkrec.train.TrainingResult;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A factorization machine for click-through rates (Rendle, ICDM 2010) as a Spark ML estimator:
 * {@code logit = w0 + Σ_f b[id_f]·x_f + Σ_{f<g} ⟨E[id_f]·x_f, E[id_g]·x_g⟩} ({@link FmNetwork}), trained with
 * mini-batch Adam on SparkRec's distributed trainer, where a batch updates only the embedding rows it used and
 * partitions average their parameters in sync rounds. What MLlib's {@code FMClassifier} does on an MLlib vector,
 * on {@code FieldEncoder}'s ids, with validation-based early stopping, example weights and persistence of the
 * training summary.
 *
 * <p>Input: {@code featureIdsCol} ({@code array<int>}, one id per field), optional {@code featureValuesCol},
 * {@code labelCol} (0/1), optional {@code weightCol} and {@code validationIndicatorCol}. The fitted
 * {@link FactorizationMachineModel} writes Spark classifier columns and keeps how it was trained as its
 * {@link FactorizationMachineModel#summary()}; {@link #addTrainingListener} follows training epoch by epoch.
 *
 * <p>The embedding table is built through SparkRec's embedding seam ({@link EmbeddingEstimator}): input search can
 * count its rows ({@link #embeddingVocabularies}), fit it under a search layout ({@link #fitWithEmbeddings}) and
 * retrain it with searched dimensions ({@link #setEmbeddingDimensions}).
 */
public final class FactorizationMachine extends Estimator<FactorizationMachineModel>
    implements FmParams, TrainingParams, HasWeightCol, HasRegParam, EmbeddingEstimator<FactorizationMachineModel>,
    MLWritable {

  private static final long serialVersionUID = 1L;

  /** {@code validationMetric} value: validation ROC AUC, higher is better. */
  public static final String AUC = TrainingConfig.AUC;
  /** {@code validationMetric} value: validation log loss, lower is better. */
  public static final String LOGLOSS = TrainingConfig.LOGLOSS;
  /** {@code validationMetric} value: validation AUC minus log loss, higher is better. */
  public static final String AUC_MINUS_LOGLOSS = TrainingConfig.AUC_MINUS_LOGLOSS;

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();
  private transient TrainingListeners<FactorizationMachineModel> listeners = new TrainingListeners<>();
  private EmbeddingLayout embeddingLayout = EmbeddingLayout.uniform();

  public FactorizationMachine() {
    this(Identifiable$.MODULE$.randomUID("fm"));
  }

  public FactorizationMachine(String uid) {
    this.uid = uid;
    FmParams.setDefaults(this);
    setDefault(regParam(), 0.0);
    // Adam at 0.01 on batches of 1024: on Frappe within 0.001 AUC of the best of a small grid (batch 512-4096,
    // step 0.001-0.02) in a third of the time of AFN's 4096 / 0.001, which had not converged after 30 epochs.
    setDefault(stepSize(), 0.01);
    setDefault(batchSize(), 1024);
    setDefault(maxIter(), 50);
    setDefault(patience(), 2);
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public ParamRegistry paramRegistry() {
    return paramRegistry;
  }

  /** Validation metric for early stopping and best-epoch selection: "auc", "logloss" or "auc-logloss". */
  public Param<String> validationMetric() {
    return param("validationMetric", o -> new Param<>(o, "validationMetric",
        "validation metric for early stopping and best-epoch selection: 'auc', 'logloss' or 'auc-logloss' (AUC "
            + "minus log loss, which keeps the probabilities calibrated). Default: auc-logloss",
        ParamValidators.inArray(new String[] {AUC, LOGLOSS, AUC_MINUS_LOGLOSS})), AUC_MINUS_LOGLOSS);
  }

  public String getValidationMetric() {
    return getOrDefault(validationMetric());
  }

  public FactorizationMachine setFeatureIdsCol(String value) {
    set(featureIdsCol(), value);
    return this;
  }

  public FactorizationMachine setFeatureValuesCol(String value) {
    set(featureValuesCol(), value);
    return this;
  }

  public FactorizationMachine setLabelCol(String value) {
    set(labelCol(), value);
    return this;
  }

  public FactorizationMachine setWeightCol(String value) {
    set(weightCol(), value);
    return this;
  }

  public FactorizationMachine setValidationIndicatorCol(String value) {
    set(validationIndicatorCol(), value);
    return this;
  }

  public FactorizationMachine setRawPredictionCol(String value) {
    set(rawPredictionCol(), value);
    return this;
  }

  public FactorizationMachine setProbabilityCol(String value) {
    set(probabilityCol(), value);
    return this;
  }

  public FactorizationMachine setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  public FactorizationMachine setThreshold(double value) {
    set(threshold(), value);
    return this;
  }

  public FactorizationMachine setNumFeatures(int value) {
    set(numFeatures(), value);
    return this;
  }

  public FactorizationMachine setEmbeddingDim(int value) {
    set(embeddingDim(), value);
    return this;
  }

  public FactorizationMachine setInitStd(double value) {
    set(initStd(), value);
    return this;
  }

  /** L2 weight on the embedding rows each batch uses (the bias and first-order weights are not penalised). */
  public FactorizationMachine setRegParam(double value) {
    set(regParam(), value);
    return this;
  }

  public FactorizationMachine setStepSize(double value) {
    set(stepSize(), value);
    return this;
  }

  public FactorizationMachine setBatchSize(int value) {
    set(batchSize(), value);
    return this;
  }

  public FactorizationMachine setMaxIter(int value) {
    set(maxIter(), value);
    return this;
  }

  public FactorizationMachine setPatience(int value) {
    set(patience(), value);
    return this;
  }

  public FactorizationMachine setValidationMetric(String value) {
    set(validationMetric(), value);
    return this;
  }

  public FactorizationMachine setSyncEveryBatches(int value) {
    set(syncEveryBatches(), value);
    return this;
  }

  public FactorizationMachine setEmbeddingSync(String value) {
    set(embeddingSync(), value);
    return this;
  }

  public FactorizationMachine setSeed(long value) {
    set(seed(), value);
    return this;
  }

  public FactorizationMachine setNumPartitions(int value) {
    set(numPartitions(), value);
    return this;
  }

  /**
   * Adds a listener called on the driver after every epoch of {@link #fit} with the epoch's report and, on
   * request, the model training would return if it stopped now; listeners are copied by {@link #copy} but not
   * saved with the estimator. Returns this.
   */
  public FactorizationMachine addTrainingListener(TrainingListener<? super FactorizationMachineModel> listener) {
    listeners().add(listener);
    return this;
  }

  private TrainingListeners<FactorizationMachineModel> listeners() {
    if (listeners == null) {
      listeners = new TrainingListeners<>();
    }
    return listeners;
  }

  /**
   * Trains the embedding table with {@code dimensions}' per-block widths in every later fit (and in copies);
   * returns this. The dimensions are not a param; the estimator saves them beside its params, and loading sets them.
   */
  @Override
  public FactorizationMachine setEmbeddingDimensions(EmbeddingDimensions dimensions) {
    embeddingLayout = Objects.requireNonNull(dimensions, "dimensions must not be null").layout();
    return this;
  }

  @Override
  public EmbeddingLayout embeddingLayout() {
    return embeddingLayout;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    CtrSchema.requireTrainingColumns(schema, this);
    return CtrSchema.appendOutputs(schema, this);
  }

  /** Fits with {@link #embeddingLayout()}: one full table, unless searched dimensions were set. */
  @Override
  public FactorizationMachineModel fit(Dataset<?> dataset) {
    return fitWithEmbeddings(dataset, embeddingLayout, null);
  }

  @Override
  public FactorizationMachineModel fitWithEmbeddings(Dataset<?> dataset, EmbeddingLayout layout,
      DimensionSearch search) {
    Objects.requireNonNull(layout, "layout must not be null (EmbeddingLayout.uniform() is the default)");
    transformSchema(dataset.schema());
    Dataset<Row> data = dataset.toDF();
    CtrIdSpace ids = idSpace(data);
    FmConfig config = FmConfig.from(this, ids.numFeatures(), ids.numFields()).withEmbeddingLayout(layout);

    Dataset<Row> train = trainingRows(data);
    Dataset<Row> validation = getValidationIndicatorCol().isEmpty() ? null
        : data.where(col(getValidationIndicatorCol()));
    TrainingConfig.Builder training = trainingConfig(validation != null).validationMetric(getValidationMetric());
    if (getRegParam() > 0) {
      training.gradientTransform(FmNetwork.embeddingL2(getRegParam()));
    }
    if (search != null) {
      training.dimensionSearch(search);
    }
    ExampleColumns columns = new ExampleColumns(getFeatureIdsCol(), emptyToNull(getFeatureValuesCol()),
        getLabelCol(), emptyToNull(getWeightCol()));
    Trainer trainer = new Trainer(FmNetwork.factory(config), training.build());
    listeners().attachTo(trainer, parameters -> newModel(config, parameters));
    TrainingResult result = trainer.fit(train, validation, columns);
    return newModel(config, result.bestParameters()).setSummary(result.summary()).setParent(this);
  }

  /**
   * The one table a fit trains, {@code fm.embedding} of {@code embeddingDim}, with how often each feature id occurs
   * in {@code featureIdsCol} over the training rows (rows flagged by {@code validationIndicatorCol}, when set, are
   * not counted). Its rows are the fit's {@code numFeatures}. Counted by Spark; only the counts reach the driver.
   */
  @Override
  public List<TableVocabulary> embeddingVocabularies(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    Dataset<Row> data = dataset.toDF();
    CtrIdSpace ids = idSpace(data);
    List<Row> occurrences = trainingRows(data).select(explode(col(getFeatureIdsCol())).as("id"))
        .where(col("id").isNotNull()).groupBy("id").count().collectAsList();
    long[] counts = new long[ids.numFeatures()];
    for (Row row : occurrences) {
      counts[row.getInt(0)] = row.getLong(1);
    }
    return List.of(new TableVocabulary(FmNetwork.EMBEDDING, getEmbeddingDim(), counts));
  }

  /** The rows training fits on: all of them, or those not flagged by {@code validationIndicatorCol}. */
  private Dataset<Row> trainingRows(Dataset<Row> data) {
    return getValidationIndicatorCol().isEmpty() ? data : data.where(not(col(getValidationIndicatorCol())));
  }

  /** The id space of {@code data}'s target ids (training and validation rows), checked in one pass. */
  private CtrIdSpace idSpace(Dataset<Row> data) {
    return CtrIdSpace.scan(data, getFeatureIdsCol(), getNumFeatures(), null);
  }

  /** A model with this estimator's params holding {@code parameters}. */
  private FactorizationMachineModel newModel(FmConfig config, Map<String, float[]> parameters) {
    FactorizationMachineModel model = copyValues(new FactorizationMachineModel(uid, config, parameters),
        ParamMap.empty());
    model.set(model.numFeatures(), config.numFeatures()); // the model records the id space it was trained on
    return model;
  }

  private static String emptyToNull(String column) {
    return column == null || column.isEmpty() ? null : column;
  }

  /** A copy with the same params ({@code extra} applied), training listeners and embedding dimensions. */
  @Override
  public FactorizationMachine copy(ParamMap extra) {
    FactorizationMachine copied = defaultCopy(extra);
    copied.listeners().addAll(listeners());
    copied.embeddingLayout = embeddingLayout;
    return copied;
  }

  /** Saves the params and, when set, the searched embedding dimensions ({@link EmbeddingEstimatorPersistence}). */
  @Override
  public MLWriter write() {
    return EmbeddingEstimatorPersistence.writer(this);
  }

  public static MLReader<FactorizationMachine> read() {
    return EmbeddingEstimatorPersistence.reader(FactorizationMachine.class);
  }

  public static FactorizationMachine load(String path) {
    return read().load(path);
  }
}
