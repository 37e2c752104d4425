package dev.sparkrec.seq;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.not;

import dev.sparkrec.ml.SchemaChecks;
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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * LightningSeq, click prediction from a user's long behaviour history with MiniMax-01's lightning attention and
 * top-k mixture of experts ({@link LightningSeqNetwork}), as a Spark ML estimator trained with mini-batch Adam on
 * SparkRec's distributed trainer (a batch updates only the embedding rows it used; partitions average their
 * parameters in sync rounds).
 *
 * <p>Input: {@code featureIdsCol} ({@code array<int>}, the target's ids, one per field), optional
 * {@code featureValuesCol}, {@code historyCol} ({@code array<int>}, the user's earlier events as feature ids of the
 * same encoding, oldest first, any length, empty for none), {@code labelCol} (0/1), optional {@code weightCol} and
 * {@code validationIndicatorCol}. Time and memory are linear in the history length (lightning layers; the hybrid
 * stack's softmax layers, one after every {@code softmaxEvery} lightning layers, are quadratic), so histories of
 * 10⁵ events train at batch size 1; {@code maxHistory} truncates to the most recent events only when set. The
 * fitted {@link LightningSeqModel} writes Spark classifier columns and keeps how it was trained as its
 * {@link LightningSeqModel#summary()}. Training defaults: Adam 1e-3 on batches of 256, at most 10 epochs, stopping
 * after 2 epochs without a better validation AUC and keeping the best.
 *
 * <p>The embedding table (target and history ids share it) is built through SparkRec's embedding seam
 * ({@link EmbeddingEstimator}), so input search and mixed dimensions apply to it.
 */
public final class LightningSeq extends Estimator<LightningSeqModel>
    implements LightningSeqParams, TrainingParams, HasWeightCol, HasRegParam, EmbeddingEstimator<LightningSeqModel>,
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
  private transient TrainingListeners<LightningSeqModel> listeners = new TrainingListeners<>();
  private EmbeddingLayout embeddingLayout = EmbeddingLayout.uniform();

  public LightningSeq() {
    this(Identifiable$.MODULE$.randomUID("lightningseq"));
  }

  public LightningSeq(String uid) {
    this.uid = uid;
    LightningSeqParams.setDefaults(this);
    setDefault(regParam(), 0.0);
    setDefault(stepSize(), 0.001);
    setDefault(batchSize(), 256);
    setDefault(maxIter(), 10);
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
            + "minus log loss). Default: auc",
        ParamValidators.inArray(new String[] {AUC, LOGLOSS, AUC_MINUS_LOGLOSS})), AUC);
  }

  public String getValidationMetric() {
    return getOrDefault(validationMetric());
  }

  public LightningSeq setFeatureIdsCol(String value) {
    set(featureIdsCol(), value);
    return this;
  }

  public LightningSeq setFeatureValuesCol(String value) {
    set(featureValuesCol(), value);
    return this;
  }

  public LightningSeq setHistoryCol(String value) {
    set(historyCol(), value);
    return this;
  }

  public LightningSeq setMaxHistory(int value) {
    set(maxHistory(), value);
    return this;
  }

  public LightningSeq setNumLayers(int value) {
    set(numLayers(), value);
    return this;
  }

  public LightningSeq setNumHeads(int value) {
    set(numHeads(), value);
    return this;
  }

  public LightningSeq setSoftmaxEvery(int value) {
    set(softmaxEvery(), value);
    return this;
  }

  public LightningSeq setBlockSize(int value) {
    set(blockSize(), value);
    return this;
  }

  public LightningSeq setNumExperts(int value) {
    set(numExperts(), value);
    return this;
  }

  public LightningSeq setTopK(int value) {
    set(topK(), value);
    return this;
  }

  public LightningSeq setExpertHiddenDim(int value) {
    set(expertHiddenDim(), value);
    return this;
  }

  public LightningSeq setAuxLossWeight(double value) {
    set(auxLossWeight(), value);
    return this;
  }

  public LightningSeq setPooling(String value) {
    set(pooling(), value);
    return this;
  }

  public LightningSeq setLabelCol(String value) {
    set(labelCol(), value);
    return this;
  }

  public LightningSeq setWeightCol(String value) {
    set(weightCol(), value);
    return this;
  }

  public LightningSeq setValidationIndicatorCol(String value) {
    set(validationIndicatorCol(), value);
    return this;
  }

  public LightningSeq setRawPredictionCol(String value) {
    set(rawPredictionCol(), value);
    return this;
  }

  public LightningSeq setProbabilityCol(String value) {
    set(probabilityCol(), value);
    return this;
  }

  public LightningSeq setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  public LightningSeq setThreshold(double value) {
    set(threshold(), value);
    return this;
  }

  public LightningSeq setNumFeatures(int value) {
    set(numFeatures(), value);
    return this;
  }

  public LightningSeq setEmbeddingDim(int value) {
    set(embeddingDim(), value);
    return this;
  }

  public LightningSeq setHiddenLayers(int... value) {
    set(hiddenLayers(), value);
    return this;
  }

  /** L2 weight on the embedding rows each batch uses (the layers are not penalised). Default: 0. */
  public LightningSeq setRegParam(double value) {
    set(regParam(), value);
    return this;
  }

  public LightningSeq setStepSize(double value) {
    set(stepSize(), value);
    return this;
  }

  public LightningSeq setBatchSize(int value) {
    set(batchSize(), value);
    return this;
  }

  public LightningSeq setMaxIter(int value) {
    set(maxIter(), value);
    return this;
  }

  public LightningSeq setPatience(int value) {
    set(patience(), value);
    return this;
  }

  public LightningSeq setValidationMetric(String value) {
    set(validationMetric(), value);
    return this;
  }

  public LightningSeq setSyncEveryBatches(int value) {
    set(syncEveryBatches(), value);
    return this;
  }

  public LightningSeq setEmbeddingSync(String value) {
    set(embeddingSync(), value);
    return this;
  }

  public LightningSeq setSeed(long value) {
    set(seed(), value);
    return this;
  }

  public LightningSeq setNumPartitions(int value) {
    set(numPartitions(), value);
    return this;
  }

  /**
   * Adds a listener called on the driver after every epoch of {@link #fit} with the epoch's report and, on
   * request, the model training would return if it stopped now; listeners are copied by {@link #copy} but not
   * saved with the estimator. Returns this.
   */
  public LightningSeq addTrainingListener(TrainingListener<? super LightningSeqModel> listener) {
    listeners().add(listener);
    return this;
  }

  private TrainingListeners<LightningSeqModel> listeners() {
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
  public LightningSeq setEmbeddingDimensions(EmbeddingDimensions dimensions) {
    embeddingLayout = Objects.requireNonNull(dimensions, "dimensions must not be null").layout();
    return this;
  }

  @Override
  public EmbeddingLayout embeddingLayout() {
    return embeddingLayout;
  }

  /** Checks the training columns (the CTR columns and the history) and appends the classifier outputs. */
  @Override
  public StructType transformSchema(StructType schema) {
    CtrSchema.requireTrainingColumns(schema, this);
    SchemaChecks.requireColumnType(schema, getHistoryCol(), DataTypes.createArrayType(DataTypes.IntegerType));
    LightningSeqConfig.from(this, 1, 1); // fails early on inconsistent sizes (heads, topK)
    return CtrSchema.appendOutputs(schema, this);
  }

  /** Fits with {@link #embeddingLayout()}: one full table, unless searched dimensions were set. */
  @Override
  public LightningSeqModel fit(Dataset<?> dataset) {
    return fitWithEmbeddings(dataset, embeddingLayout, null);
  }

  /**
   * Fits with the embedding table built by {@code layout}; with a {@code search}, the fit is a dimension search
   * whose selection weights step on the rows flagged by {@code validationIndicatorCol}, which must then be set. A
   * layout naming a table LightningSeq does not build, or whose blocks cover another number of rows than
   * {@code numFeatures}, fails before training.
   */
  @Override
  public LightningSeqModel fitWithEmbeddings(Dataset<?> dataset, EmbeddingLayout layout, DimensionSearch search) {
    transformSchema(dataset.schema());
    EmbeddingSupport.requireKnownTables(layout, search, List.of(LightningSeqNetwork.EMBEDDING), "LightningSeq " + uid);
    if (search != null && getValidationIndicatorCol().isEmpty()) {
      throw new IllegalArgumentException("A dimension search steps its selection weights on validation rows; set "
          + "validationIndicatorCol to the column flagging them.");
    }
    Dataset<Row> data = dataset.toDF();
    CtrIdSpace ids = idSpace(data);
    LightningSeqConfig config = LightningSeqConfig.from(this, ids.numFeatures(), ids.numFields()).withEmbeddingLayout(layout);

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
        getLabelCol(), emptyToNull(getWeightCol())).withSequenceCol(getHistoryCol());
    Trainer trainer = new Trainer(LightningSeqNetwork.factory(config), training.build());
    listeners().attachTo(trainer, parameters -> newModel(config, parameters));
    TrainingResult result = trainer.fit(train, validation, columns);
    return newModel(config, result.bestParameters()).setSummary(result.summary()).setParent(this);
  }

  /**
   * The one table a fit trains, {@code seq.embedding} of {@code embeddingDim}, with how often each feature id
   * occurs in {@code featureIdsCol} and {@code historyCol} over the training rows (rows flagged by {@code validationIndicatorCol}, when
   * set, are not counted). Its rows are the fit's {@code numFeatures}. Counted by Spark; only the counts reach the
   * driver.
   */
  @Override
  public List<TableVocabulary> embeddingVocabularies(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    Dataset<Row> data = dataset.toDF();
    CtrIdSpace ids = idSpace(data);
    List<Row> occurrences = trainingRows(data)
        .select(explode(concat(col(getFeatureIdsCol()), col(getHistoryCol()))).as("id"))
        .where(col("id").isNotNull()).groupBy("id").count().collectAsList();
    long[] counts = new long[ids.numFeatures()];
    for (Row row : occurrences) {
      counts[row.getInt(0)] = row.getLong(1);
    }
    return List.of(new TableVocabulary(LightningSeqNetwork.EMBEDDING, getEmbeddingDim(), counts));
  }

  /** The rows training fits on: all of them, or those not flagged by {@code validationIndicatorCol}. */
  private Dataset<Row> trainingRows(Dataset<Row> data) {
    return getValidationIndicatorCol().isEmpty() ? data : data.where(not(col(getValidationIndicatorCol())));
  }

  /** The id space of {@code data}'s target ids and history ids (training and validation rows), checked in one pass. */
  private CtrIdSpace idSpace(Dataset<Row> data) {
    return CtrIdSpace.scan(data, getFeatureIdsCol(), getNumFeatures(), getHistoryCol());
  }

  /** A model with this estimator's params holding {@code parameters}. */
  private LightningSeqModel newModel(LightningSeqConfig config, Map<String, float[]> parameters) {
    LightningSeqModel model = copyValues(new LightningSeqModel(uid, config, parameters), ParamMap.empty());
    model.set(model.numFeatures(), config.numFeatures()); // the model records the id space it was trained on
    return model;
  }

  private static String emptyToNull(String column) {
    return column == null || column.isEmpty() ? null : column;
  }

  /** A copy with the same params ({@code extra} applied), training listeners and embedding dimensions. */
  @Override
  public LightningSeq copy(ParamMap extra) {
    LightningSeq copied = defaultCopy(extra);
    copied.listeners().addAll(listeners());
    copied.embeddingLayout = embeddingLayout;
    return copied;
  }

  /** Saves the params and, when set, the searched embedding dimensions ({@link EmbeddingEstimatorPersistence}). */
  @Override
  public MLWriter write() {
    return EmbeddingEstimatorPersistence.writer(this);
  }

  public static MLReader<LightningSeq> read() {
    return EmbeddingEstimatorPersistence.reader(LightningSeq.class);
  }

  public static LightningSeq load(String path) {
    return read().load(path);
  }
}
