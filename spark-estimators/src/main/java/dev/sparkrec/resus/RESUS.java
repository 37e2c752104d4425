package dev.sparkrec.resus;

import static org.apache.spark.sql.functions.array_max;
import static org.apache.spark.sql.functions.array_min;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;

import dev.sparkrec.deepfm.DeepFM;
import dev.sparkrec.deepfm.DeepFmConfig;
import dev.sparkrec.ml.PersistenceSupport;
import dev.sparkrec.ml.SchemaChecks;
import dev.sparkrec.ml.param.HasMaxIter;
import dev.sparkrec.ml.param.HasNumPartitions;
import dev.sparkrec.ml.param.HasPatience;
import dev.sparkrec.ml.param.HasStepSize;
import dev.sparkrec.ml.param.HasValidationIndicatorCol;
import dev.sparkrec.ml.param.ParamRegistry;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import java.io.IOException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * RESUS (Shen et al., TOIS 2023): warms up cold users with a shared base CTR predictor plus a residual learned from
 * each user's few interactions, a Spark ML estimator.
 *
 * <p>Input: one row per interaction with {@code userCol}, {@code featureIdsCol} ({@code array<int>}, one id per
 * field; the user id is not a feature), optional {@code featureValuesCol}, {@code labelCol} (0/1), {@code timeCol}
 * (orders a user's rows) and optional {@code validationIndicatorCol} (true on every row of a validation user).
 * {@link #fit} (1) fits the base predictor on the training users — a {@link DeepFM} with this stage's embedding and
 * hidden sizes unless {@link #setBaseEstimator} names another SparkRec CTR estimator, or skips this step when
 * {@link #setBaseModel} gives a fitted one; (2) freezes it and meta-trains the residual network
 * ({@link ResusNetwork}) episodically over the training users ({@link MetaTrainer}), early-stopping on the
 * validation users' query AUC. Defaults are the published code's: learner "rr", Adam 1e-3 for the encoder and
 * 1e-2 ({@code adjustStepSize}) for the per-support-size scale and bias, at most 100 epochs, patience 2.
 *
 * <p>The fitted {@link RESUSModel} scores queries of users whose support rows it is given
 * ({@link RESUSModel#setSupport}), or whose stored adaptations it joins ({@link RESUSModel#adapt},
 * {@link RESUSModel#setAdaptation}).
 */
public final class RESUS extends Estimator<RESUSModel>
    implements ResusParams, HasMaxIter, HasStepSize, HasPatience, HasNumPartitions, HasValidationIndicatorCol,
    MLWritable {

  private static final long serialVersionUID = 1L;
  static final String BASE_LOGIT = "__resus_base_logit";

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();
  private Estimator<?> baseEstimator;
  private Model<?> baseModel;

  public RESUS() {
    this(Identifiable$.MODULE$.randomUID("resus"));
  }

  public RESUS(String uid) {
    this.uid = uid;
    ResusParams.setDefaults(this);
    setDefault(stepSize(), 0.001);
    setDefault(maxIter(), 100);
    setDefault(patience(), 2);
    setDefault(numPartitions(), 1);
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public ParamRegistry paramRegistry() {
    return paramRegistry;
  }

  /** Adam learning rate of the per-support-size scales and biases and of λ (> 0). */
  public DoubleParam adjustStepSize() {
    return param("adjustStepSize", o -> new DoubleParam(o, "adjustStepSize",
        "Adam learning rate of the per-support-size scale and bias and of the ridge penalty (> 0). Default: 0.01",
        ParamValidators.gt(0)), 0.01);
  }

  public double getAdjustStepSize() {
    return (Double) getOrDefault(adjustStepSize());
  }

  public RESUS setUserCol(String value) {
    set(userCol(), value);
    return this;
  }

  public RESUS setFeatureIdsCol(String value) {
    set(featureIdsCol(), value);
    return this;
  }

  public RESUS setFeatureValuesCol(String value) {
    set(featureValuesCol(), value);
    return this;
  }

  public RESUS setLabelCol(String value) {
    set(labelCol(), value);
    return this;
  }

  public RESUS setTimeCol(String value) {
    set(timeCol(), value);
    return this;
  }

  public RESUS setValidationIndicatorCol(String value) {
    set(validationIndicatorCol(), value);
    return this;
  }

  public RESUS setRawPredictionCol(String value) {
    set(rawPredictionCol(), value);
    return this;
  }

  public RESUS setProbabilityCol(String value) {
    set(probabilityCol(), value);
    return this;
  }

  public RESUS setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  public RESUS setThreshold(double value) {
    set(threshold(), value);
    return this;
  }

  public RESUS setLearner(String value) {
    set(learner(), value);
    return this;
  }

  public RESUS setMaxSupport(int value) {
    set(maxSupport(), value);
    return this;
  }

  public RESUS setInitScale(double value) {
    set(initScale(), value);
    return this;
  }

  public RESUS setLambda(double value) {
    set(lambda(), value);
    return this;
  }

  public RESUS setEmbeddingDim(int value) {
    set(embeddingDim(), value);
    return this;
  }

  public RESUS setHiddenLayers(int... value) {
    set(hiddenLayers(), value.clone());
    return this;
  }

  public RESUS setStepSize(double value) {
    set(stepSize(), value);
    return this;
  }

  public RESUS setAdjustStepSize(double value) {
    set(adjustStepSize(), value);
    return this;
  }

  public RESUS setMaxIter(int value) {
    set(maxIter(), value);
    return this;
  }

  public RESUS setPatience(int value) {
    set(patience(), value);
    return this;
  }

  public RESUS setNumPartitions(int value) {
    set(numPartitions(), value);
    return this;
  }

  public RESUS setSeed(long value) {
    set(seed(), value);
    return this;
  }

  /**
   * Fits the base predictor with {@code estimator} (a SparkRec CTR estimator over feature ids, e.g. {@code AFN});
   * RESUS sets its feature, label and validation columns. Null restores the default DeepFM. Saved with the stage.
   */
  public RESUS setBaseEstimator(Estimator<?> estimator) {
    this.baseEstimator = estimator;
    return this;
  }

  /** The base estimator set, or null for the default DeepFM. */
  public Estimator<?> getBaseEstimator() {
    return baseEstimator;
  }

  /**
   * Uses {@code model}, already fitted, as the frozen base predictor: {@link #fit} then only meta-trains. Null
   * fits a base again. Saved with the stage.
   */
  public RESUS setBaseModel(Model<?> model) {
    this.baseModel = model;
    return this;
  }

  /** The fitted base model set, or null. */
  public Model<?> getBaseModel() {
    return baseModel;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    requireInputColumns(schema, this);
    SchemaChecks.requireColumnType(schema, getLabelCol(), DataTypes.DoubleType, DataTypes.FloatType,
        DataTypes.IntegerType, DataTypes.LongType);
    if (!getValidationIndicatorCol().isEmpty()) {
      SchemaChecks.requireColumnType(schema, getValidationIndicatorCol(), DataTypes.BooleanType);
    }
    return RESUSModel.appendOutputs(schema, this);
  }

  /** Checks the columns scoring reads: user and feature ids (and values). */
  static void requireScoringColumns(StructType schema, ResusParams p) {
    SchemaChecks.requireColumnType(schema, p.getUserCol(), DataTypes.IntegerType, DataTypes.LongType);
    SchemaChecks.requireColumnType(schema, p.getFeatureIdsCol(), DataTypes.createArrayType(DataTypes.IntegerType));
    if (!p.getFeatureValuesCol().isEmpty()) {
      SchemaChecks.requireColumnType(schema, p.getFeatureValuesCol(),
          DataTypes.createArrayType(DataTypes.FloatType), DataTypes.createArrayType(DataTypes.DoubleType));
    }
  }

  /** Checks the columns fitting and adapting read: the scoring columns and time. */
  static void requireInputColumns(StructType schema, ResusParams p) {
    requireScoringColumns(schema, p);
    SchemaChecks.requireColumnType(schema, p.getTimeCol(), DataTypes.IntegerType, DataTypes.LongType,
        DataTypes.DoubleType, DataTypes.FloatType, DataTypes.TimestampType, DataTypes.DateType);
  }

  @Override
  public RESUSModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    Dataset<Row> data = dataset.toDF();
    requireValidRows(data, this, true);
    boolean hasValidation = !getValidationIndicatorCol().isEmpty();
    Model<?> base = baseModel != null ? baseModel : fitBase(data);
    int partitions = getNumPartitions() > 0 ? getNumPartitions()
        : data.sparkSession().sparkContext().defaultParallelism();
    Dataset<Row> scored = BaseLogits.appendInUserOrder(base, data, this, BASE_LOGIT, partitions);
    ResusConfig config = config(numFeatures(data, base), numFields(data));
    UserHistories.Columns columns = historyColumns(this);
    Dataset<Row> trainRows = hasValidation ? scored.where(not(col(getValidationIndicatorCol()))) : scored;
    JavaRDD<UserHistory> train = UserHistories.of(trainRows, columns, partitions).cache();
    JavaRDD<UserHistory> validation = hasValidation
        ? UserHistories.of(scored.where(col(getValidationIndicatorCol())), columns, partitions).cache() : null;
    try {
      MetaTrainer.Result result = new MetaTrainer(config).fit(train, validation);
      RESUSModel model = new RESUSModel(uid, config, base, result.parameters()).setSummary(result.summary());
      return copyValues(model, ParamMap.empty()).setParent(this);
    } finally {
      train.unpersist(false);
      if (validation != null) {
        validation.unpersist(false);
      }
    }
  }

  /** The network and meta-training configuration of this stage's params, built here only. */
  ResusConfig config(int numFeatures, int numFields) {
    DeepFmConfig encoder = new DeepFmConfig(numFeatures, numFields, getEmbeddingDim(), getHiddenLayers(), getSeed(),
        EmbeddingLayout.uniform());
    return new ResusConfig(getLearner(), encoder, getMaxSupport(), getInitScale(), getLambda(), getStepSize(),
        getAdjustStepSize(), getMaxIter(), getPatience(), getSeed());
  }

  static UserHistories.Columns historyColumns(ResusParams p) {
    return new UserHistories.Columns(p.getUserCol(), p.getFeatureIdsCol(),
        p.getFeatureValuesCol().isEmpty() ? null : p.getFeatureValuesCol(), p.getLabelCol(), p.getTimeCol(),
        BASE_LOGIT);
  }

  private Model<?> fitBase(Dataset<Row> data) {
    Estimator<?> estimator = baseEstimator != null ? baseEstimator
        : new DeepFM().setEmbeddingDim(getEmbeddingDim()).setHiddenLayers(getHiddenLayers()).setSeed(getSeed());
    ParamMap settings = ParamMap.empty();
    put(estimator, settings, "featureIdsCol", getFeatureIdsCol());
    put(estimator, settings, "featureValuesCol", getFeatureValuesCol());
    put(estimator, settings, "labelCol", getLabelCol());
    put(estimator, settings, "validationIndicatorCol", getValidationIndicatorCol());
    return (Model<?>) estimator.copy(settings).fit(data);
  }

  private static void put(Estimator<?> estimator, ParamMap settings, String name, String value) {
    if (estimator.hasParam(name)) {
      settings.put(estimator.getParam(name), value);
    }
  }

  /**
   * Fails on the first row with a null user, ids or time or, when {@code withLabels}, a label other than 0 or 1,
   * naming the column and the value.
   */
  static void requireValidRows(Dataset<Row> data, ResusParams p, boolean withLabels) {
    Column bad = col(p.getUserCol()).isNull().or(col(p.getFeatureIdsCol()).isNull())
        .or(col(p.getTimeCol()).isNull());
    if (withLabels) {
      bad = bad.or(col(p.getLabelCol()).isNull()).or(not(col(p.getLabelCol()).isin(0, 1)));
    }
    Row[] first = (Row[]) data.where(bad).limit(1).collect();
    if (first.length == 0) {
      return;
    }
    Row row = first[0];
    for (String column : withLabels
        ? new String[] {p.getUserCol(), p.getFeatureIdsCol(), p.getTimeCol(), p.getLabelCol()}
        : new String[] {p.getUserCol(), p.getFeatureIdsCol(), p.getTimeCol()}) {
      Object value = row.get(row.fieldIndex(column));
      if (value == null) {
        throw new IllegalArgumentException("Column '" + column + "' is null in a row (user "
            + row.get(row.fieldIndex(p.getUserCol())) + "); RESUS needs a user, feature ids, a time and a label in "
            + "every row.");
      }
    }
    throw new IllegalArgumentException("Column '" + p.getLabelCol() + "' must hold 0 or 1 but has "
        + row.get(row.fieldIndex(p.getLabelCol())) + " (user " + row.get(row.fieldIndex(p.getUserCol())) + ").");
  }

  /** The encoder's id space: the base model's numFeatures when it has one, else the largest id + 1. */
  private int numFeatures(Dataset<Row> data, Model<?> base) {
    Row stats = data.select(min(array_min(col(getFeatureIdsCol()))), max(array_max(col(getFeatureIdsCol()))))
        .first();
    if (stats.isNullAt(1)) {
      throw new IllegalArgumentException("Column '" + getFeatureIdsCol() + "' holds no feature ids: the data is "
          + "empty.");
    }
    int numFeatures = stats.getInt(1) + 1;
    if (base.hasParam("numFeatures") && base.isDefined(base.getParam("numFeatures"))) {
      int fromBase = (Integer) base.getOrDefault(base.getParam("numFeatures"));
      if (fromBase > 0) {
        if (fromBase < numFeatures) {
          throw new IllegalArgumentException("Column '" + getFeatureIdsCol() + "' has feature id " + stats.getInt(1)
              + " outside the base model's [0, " + fromBase + ").");
        }
        numFeatures = fromBase;
      }
    }
    if (stats.getInt(0) < 0) {
      throw new IllegalArgumentException("Column '" + getFeatureIdsCol() + "' has negative feature id "
          + stats.getInt(0) + ".");
    }
    return numFeatures;
  }

  private int numFields(Dataset<Row> data) {
    Row stats = data.select(min(size(col(getFeatureIdsCol()))), max(size(col(getFeatureIdsCol())))).first();
    if (stats.getInt(0) != stats.getInt(1) || stats.getInt(1) < 1) {
      throw new IllegalArgumentException("Column '" + getFeatureIdsCol() + "' must hold the same number of ids in "
          + "every row (one per field) but rows hold between " + stats.getInt(0) + " and " + stats.getInt(1) + ".");
    }
    return stats.getInt(1);
  }

  /** A copy with the same params ({@code extra} applied) and the same base estimator and base model. */
  @Override
  public RESUS copy(ParamMap extra) {
    RESUS copied = defaultCopy(extra);
    copied.baseEstimator = baseEstimator;
    copied.baseModel = baseModel;
    return copied;
  }

  /** Params as Spark's default writer saves them, plus {@code baseEstimator/} and {@code baseModel/} when set. */
  @Override
  public MLWriter write() {
    return new ResusWriter(this);
  }

  public static MLReader<RESUS> read() {
    return new ResusReader();
  }

  public static RESUS load(String path) {
    return read().load(path);
  }

  static final class ResusWriter extends MLWriter {
    private final RESUS stage;

    ResusWriter(RESUS stage) {
      this.stage = stage;
    }

    @Override
    public void saveImpl(String path) {
      PersistenceSupport.saveMetadata(stage, path, sc());
      saveNested(stage.baseEstimator, path + "/baseEstimator", "RESUS's base estimator");
      saveNested(stage.baseModel, path + "/baseModel", "RESUS's base model");
    }
  }

  /** Saves {@code stage} (null: nothing) at {@code path} with its own writer; {@code what} names it in errors. */
  static void saveNested(Object stage, String path, String what) {
    if (stage == null) {
      return;
    }
    if (!(stage instanceof MLWritable writable)) {
      throw new UnsupportedOperationException(what + " " + stage.getClass().getName()
          + " is not MLWritable, so the stage cannot be saved");
    }
    try {
      writable.save(path);
    } catch (IOException e) {
      throw new IllegalStateException("could not save " + what + " to " + path, e);
    }
  }

  static final class ResusReader extends MLReader<RESUS> {
    @Override
    public RESUS load(String path) {
      DefaultParamsReader.Metadata metadata = PersistenceSupport.loadMetadata(path, sc(), RESUS.class);
      RESUS stage = new RESUS(metadata.uid());
      PersistenceSupport.restoreParams(metadata, stage);
      stage.baseEstimator = (Estimator<?>) loadIfPresent(path + "/baseEstimator");
      stage.baseModel = (Model<?>) loadIfPresent(path + "/baseModel");
      return stage;
    }

    private Object loadIfPresent(String path) {
      try {
        Path p = new Path(path);
        if (!p.getFileSystem(sc().hadoopConfiguration()).exists(p)) {
          return null;
        }
      } catch (IOException e) {
        throw new IllegalStateException("could not read " + path, e);
      }
      return PersistenceSupport.loadStage(path, sc());
    }
  }
}
