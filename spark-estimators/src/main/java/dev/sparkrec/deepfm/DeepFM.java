package dev.sparkrec.deepfm;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.not;

import dev.sparkrec.ml.CtrIdSpace;
import dev.sparkrec.ml.CtrSchema;
import dev.sparkrec.ml.EmbeddingDimensions;
import dev.sparkrec.ml.EmbeddingEstimator;
import dev.sparkrec.ml.EmbeddingEstimatorPersistence;
import dev.sparkrec.ml.EmbeddingSupport;
import dev.sparkrec.ml.TableVocabulary;
import dev.sparkrec.ml.param.HasRegParam;
import dev.sparkrec.ml.param.HasWeightCol;
import dev.sparkrec.ml.param.ParamRegistry;
import dev.sparkrec.ml.param.TrainingParams;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.train.DimensionSearch;
import dev.sparkrec.train.ExampleColumns;
import dev.sparkrec.train.RegularizeAndClip;
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
 * DeepFM for click-through rates (Guo et al., IJCAI 2017) as RESUS's reference {@code DeepFM_encoder}, a Spark ML
 * estimator: {@code logit = w·concat(h_fm, h_dnn) + b}, with {@code h_fm} the bi-interaction vector of the
 * value-scaled embeddings and {@code h_dnn} a ReLU MLP over them ({@link DeepFmNetwork}), trained with mini-batch
 * Adam on SparkRec's distributed trainer, where a batch updates only the embedding rows it used and partitions
 * average their parameters in sync rounds.
 *
 * <p>Input: {@code featureIdsCol} ({@code array<int>}, one id per field), optional {@code featureValuesCol},
 * {@code labelCol} (0/1), optional {@code weightCol} and {@code validationIndicatorCol}. The fitted
 * {@link DeepFMModel} writes Spark classifier columns and keeps how it was trained as its
 * {@link DeepFMModel#summary()}; {@link #addTrainingListener} follows training epoch by epoch. The training defaults
 * are the reference's pretraining: Adam 1e-3 on batches of 1024, at most 100 epochs, stopping after 4 epochs
 * without a better validation AUC and keeping the best.
 *
 * <p>The embedding table is built through SparkRec's embedding seam ({@link EmbeddingEstimator}): input search can
 * count its rows ({@link #embeddingVocabularies}), fit it under a search layout ({@link #fitWithEmbeddings}) and
 * retrain it with searched dimensions ({@link #setEmbeddingDimensions}).
 */
public final class DeepFM extends Estimator<DeepFMModel>
    implements DeepFmParams, TrainingParams, HasWeightCol, HasRegParam, EmbeddingEstimator<DeepFMModel>,
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
  private transient TrainingListeners<DeepFMModel> listeners = new TrainingListeners<>();
  private EmbeddingLayout embeddingLayout = EmbeddingLayout.uniform();

  public DeepFM() {
    this(Identifiable$.MODULE$.randomUID("deepfm"));
  }

  public DeepFM(String uid) {
    this.uid = uid;
    DeepFmParams.setDefaults(this);
    setDefault(regParam(), 0.0); // the reference has no weight decay
    // the reference's pretraining: Adam 1e-3, batches of 1024, at most 100 epochs, early stopping with patience 4
    setDefault(stepSize(), 0.001);
    setDefault(batchSize(), 1024);
    setDefault(maxIter(), 100);
    setDefault(patience(), 4);
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
            + "minus log loss). Default: auc (the reference's)",
        ParamValidators.inArray(new String[] {AUC, LOGLOSS, AUC_MINUS_LOGLOSS})), AUC);
  }

  public String getValidationMetric() {
    return getOrDefault(validationMetric());
  }

  public DeepFM setFeatureIdsCol(String value) {
    set(featureIdsCol(), value);
    return this;
  }

  public DeepFM setFeatureValuesCol(String value) {
    set(featureValuesCol(), value);
    return this;
  }

  public DeepFM setLabelCol(String value) {
    set(labelCol(), value);
    return this;
  }

  public DeepFM setWeightCol(String value) {
    set(weightCol(), value);
    return this;
  }

  public DeepFM setValidationIndicatorCol(String value) {
    set(validationIndicatorCol(), value);
    return this;
  }

  public DeepFM setRawPredictionCol(String value) {
    set(rawPredictionCol(), value);
    return this;
  }

  public DeepFM setProbabilityCol(String value) {
    set(probabilityCol(), value);
    return this;
  }

  public DeepFM setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  public DeepFM setThreshold(double value) {
    set(threshold(), value);
    return this;
  }

  public DeepFM setNumFeatures(int value) {
    set(numFeatures(), value);
    return this;
  }

  public DeepFM setEmbeddingDim(int value) {
    set(embeddingDim(), value);
    return this;
  }

  public DeepFM setHiddenLayers(int... value) {
    set(hiddenLayers(), value);
    return this;
  }

  /** L2 weight on the embedding rows each batch uses (the layers are not penalised). */
  public DeepFM setRegParam(double value) {
    set(regParam(), value);
    return this;
  }

  public DeepFM setStepSize(double value) {
    set(stepSize(), value);
    return this;
  }

  public DeepFM setBatchSize(int value) {
    set(batchSize(), value);
    return this;
  }

  public DeepFM setMaxIter(int value) {
    set(maxIter(), value);
    return this;
  }

  public DeepFM setPatience(int value) {
    set(patience(), value);
    return this;
  }

  public DeepFM setValidationMetric(String value) {
    set(validationMetric(), value);
    return this;
  }

  public DeepFM setSyncEveryBatches(int value) {
    set(syncEveryBatches(), value);
    return this;
  }

  public DeepFM setEmbeddingSync(String value) {
    set(embeddingSync(), value);
    return this;
  }

  public DeepFM setSeed(long value) {
    set(seed(), value);
    return this;
  }

  public DeepFM setNumPartitions(int value) {
    set(numPartitions(), value);
    return this;
  }

  /**
   * Adds a listener called on the driver after every epoch of {@link #fit} with the epoch's report and, on
   * request, the model training would return if it stopped now; listeners are copied by {@link #copy} but not
   * saved with the estimator. Returns this.
   */
  public DeepFM addTrainingListener(TrainingListener<? super DeepFMModel> listener) {
    listeners().add(listener);
    return this;
  }

  private TrainingListeners<DeepFMModel> listeners() {
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
  public DeepFM setEmbeddingDimensions(EmbeddingDimensions dimensions) {
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
  public DeepFMModel fit(Dataset<?> dataset) {
    return fitWithEmbeddings(dataset, embeddingLayout, null);
  }

  /**
   * Fits with the embedding table built by {@code layout}; with a {@code search}, the fit is a dimension search
   * whose selection weights step on the rows flagged by {@code validationIndicatorCol}, which must then be set. A
   * layout naming a table DeepFM does not build, or whose blocks cover another number of rows than
   * {@code numFeatures}, fails before training.
   */
  @Override
  public DeepFMModel fitWithEmbeddings(Dataset<?> dataset, EmbeddingLayout layout, DimensionSearch search) {
    transformSchema(dataset.schema());
    EmbeddingSupport.requireKnownTables(layout, search, List.of(DeepFmNetwork.EMBEDDING), "DeepFM " + uid);
    if (search != null && getValidationIndicatorCol().isEmpty()) {
      throw new IllegalArgumentException("A dimension search steps its selection weights on validation rows; set "
          + "validationIndicatorCol to the column flagging them.");
    }
    Dataset<Row> data = dataset.toDF();
    CtrIdSpace ids = idSpace(data);
    DeepFmConfig config = DeepFmConfig.from(this, ids.numFeatures(), ids.numFields()).withEmbeddingLayout(layout);

    Dataset<Row> train = trainingRows(data);
    Dataset<Row> validation = getValidationIndicatorCol().isEmpty() ? null
        : data.where(col(getValidationIndicatorCol()));
    TrainingConfig.Builder training = trainingConfig(validation != null).validationMetric(getValidationMetric());
    if (getRegParam() > 0) {
      // g ← g + λ·E[r] on the embedding rows r the batch touched; the layers' weights are dense and not penalised
      training.gradientTransform(new RegularizeAndClip(0, getRegParam(), new String[0], 0, 0));
    }
    if (search != null) {
      training.dimensionSearch(search);
    }
    ExampleColumns columns = new ExampleColumns(getFeatureIdsCol(), emptyToNull(getFeatureValuesCol()),
        getLabelCol(), emptyToNull(getWeightCol()));
    Trainer trainer = new Trainer(DeepFmNetwork.factory(config), training.build());
    listeners().attachTo(trainer, parameters -> newModel(config, parameters));
    TrainingResult result = trainer.fit(train, validation, columns);
    return newModel(config, result.bestParameters()).setSummary(result.summary()).setParent(this);
  }

  /**
   * The one table a fit trains, {@code deepfm.embedding} of {@code embeddingDim}, with how often each feature id
   * occurs in {@code featureIdsCol} over the training rows (rows flagged by {@code validationIndicatorCol}, when
   * set, are not counted). Its rows are the fit's {@code numFeatures}. Counted by Spark; only the counts reach the
   * driver.
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
    return List.of(new TableVocabulary(DeepFmNetwork.EMBEDDING, getEmbeddingDim(), counts));
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
  private DeepFMModel newModel(DeepFmConfig config, Map<String, float[]> parameters) {
    DeepFMModel model = copyValues(new DeepFMModel(uid, config, parameters), ParamMap.empty());
    model.set(model.numFeatures(), config.numFeatures()); // the model records the id space it was trained on
    return model;
  }

  private static String emptyToNull(String column) {
    return column == null || column.isEmpty() ? null : column;
  }

  /** A copy with the same params ({@code extra} applied), training listeners and embedding dimensions. */
  @Override
  public DeepFM copy(ParamMap extra) {
    DeepFM copied = defaultCopy(extra);
    copied.listeners().addAll(listeners());
    copied.embeddingLayout = embeddingLayout;
    return copied;
  }

  /** Saves the params and, when set, the searched embedding dimensions ({@link EmbeddingEstimatorPersistence}). */
  @Override
  public MLWriter write() {
    return EmbeddingEstimatorPersistence.writer(this);
  }

  public static MLReader<DeepFM> read() {
    return EmbeddingEstimatorPersistence.reader(DeepFM.class);
  }

  public static DeepFM load(String path) {
    return read().load(path);
  }
}
