package dev.sparkrec.resus;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.sparkrec.deepfm.DeepFmConfig;
import dev.sparkrec.ml.CtrSchema;
import dev.sparkrec.ml.CtrScorer;
import dev.sparkrec.ml.ParameterTables;
import dev.sparkrec.ml.PersistenceSupport;
import dev.sparkrec.ml.SchemaChecks;
import dev.sparkrec.ml.param.ParamRegistry;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.train.TrainingSummary;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fitted RESUS: the frozen base predictor and the meta-trained residual network ({@link ResusNetwork}).
 *
 * <p>Serving cold users: {@link #adapt} turns support rows (interactions with labels) into one adaptation per user
 * — the ridge weights ΔW ("rr") or the encoded support set ("nn") — a small table to store, e.g. as a Delta table,
 * and join at scoring time with {@link #setAdaptation}; or {@link #setSupport} gives the support rows and
 * {@link #transform} adapts them itself. {@link #transform} appends Spark classifier columns to query rows: the base
 * logit corrected by the query's user's adaptation; a user without support rows gets the base prediction unchanged.
 * A user of the support (or adaptation table) with no query row is ignored; their number is logged as a warning and
 * kept in {@link #lastIgnoredSupportUsers()}.
 */
public final class RESUSModel extends Model<RESUSModel> implements ResusParams, MLWritable {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RESUSModel.class);

  /** Column of an adaptation table: the number of support rows the adaptation was computed from. */
  public static final String SUPPORT_SIZE = "supportSize";
  /** Column of an adaptation table: the adaptation's floats ({@link ResusNetwork#adapt}). */
  public static final String ADAPTATION = "adaptation";

  private static final String KEY = "__resus_user";
  private static final String KEY_SIZE = "__resus_support_size";
  private static final String KEY_ADAPTATION = "__resus_adaptation";

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();
  private final ResusConfig config;
  private final Model<?> baseModel;
  private final Map<String, float[]> parameters;
  private TrainingSummary summary;
  private Dataset<Row> support;
  private Dataset<Row> adaptation;
  private volatile long lastIgnoredSupportUsers;

  /** An unfitted shell, for Spark's reflection; use {@link RESUS#fit} or {@link #load}. */
  public RESUSModel(String uid) {
    this(uid, null, null, null);
  }

  RESUSModel(String uid, ResusConfig config, Model<?> baseModel, Map<String, float[]> parameters) {
    this.uid = uid;
    this.config = config;
    this.baseModel = baseModel;
    this.parameters = parameters;
    ResusParams.setDefaults(this);
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public ParamRegistry paramRegistry() {
    return paramRegistry;
  }

  public RESUSModel setUserCol(String value) {
    set(userCol(), value);
    return this;
  }

  public RESUSModel setFeatureIdsCol(String value) {
    set(featureIdsCol(), value);
    return this;
  }

  public RESUSModel setFeatureValuesCol(String value) {
    set(featureValuesCol(), value);
    return this;
  }

  public RESUSModel setLabelCol(String value) {
    set(labelCol(), value);
    return this;
  }

  public RESUSModel setTimeCol(String value) {
    set(timeCol(), value);
    return this;
  }

  public RESUSModel setRawPredictionCol(String value) {
    set(rawPredictionCol(), value);
    return this;
  }

  public RESUSModel setProbabilityCol(String value) {
    set(probabilityCol(), value);
    return this;
  }

  public RESUSModel setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  public RESUSModel setThreshold(double value) {
    set(threshold(), value);
    return this;
  }

  private void requireFitted() {
    if (config == null) {
      throw new IllegalStateException("RESUSModel " + uid + " holds no trained network; fit a RESUS or load a saved "
          + "model.");
    }
  }

  /** The residual network's configuration. */
  public ResusConfig config() {
    requireFitted();
    return config;
  }

  /** The frozen base predictor. */
  public Model<?> baseModel() {
    requireFitted();
    return baseModel;
  }

  /** A new residual network holding the trained parameters, for adapting and scoring in Java; one per thread. */
  public ResusNetwork network() {
    requireFitted();
    ResusNetwork network = new ResusNetwork(config);
    network.setParameters(parameters);
    return network;
  }

  /** Copies of the trained parameters by name, in network order. */
  public Map<String, float[]> parameterValues() {
    requireFitted();
    Map<String, float[]> copy = new LinkedHashMap<>();
    parameters.forEach((name, values) -> copy.put(name, values.clone()));
    return copy;
  }

  public boolean hasSummary() {
    return summary != null;
  }

  /** How meta-training went: per-epoch episode loss and validation metrics, the best epoch, why it stopped. */
  public TrainingSummary summary() {
    if (summary == null) {
      throw new IllegalStateException("RESUSModel " + uid + " has no training summary: it was not fitted by RESUS. "
          + "Check hasSummary() first.");
    }
    return summary;
  }

  RESUSModel setSummary(TrainingSummary value) {
    this.summary = value;
    return this;
  }

  /**
   * Scores later {@link #transform}s with {@code rows} as the users' support sets (interactions with
   * {@code userCol}, the feature columns, {@code labelCol} and {@code timeCol}), adapted at each transform; replaces
   * any adaptation table set. Returns this.
   */
  public RESUSModel setSupport(Dataset<?> rows) {
    this.support = rows.toDF();
    this.adaptation = null;
    return this;
  }

  /** Scores later {@link #transform}s with a stored {@link #adapt} table; replaces any support set. Returns this. */
  public RESUSModel setAdaptation(Dataset<?> table) {
    Dataset<Row> t = table.toDF();
    SchemaChecks.requireColumnType(t.schema(), getUserCol(), DataTypes.IntegerType, DataTypes.LongType);
    SchemaChecks.requireColumnType(t.schema(), SUPPORT_SIZE, DataTypes.IntegerType);
    SchemaChecks.requireColumnType(t.schema(), ADAPTATION, DataTypes.createArrayType(DataTypes.FloatType),
        DataTypes.createArrayType(DataTypes.FloatType, false));
    this.adaptation = t;
    this.support = null;
    return this;
  }

  /** Forgets the support rows or adaptation table: transforms give base predictions. Returns this. */
  public RESUSModel clearSupport() {
    this.support = null;
    this.adaptation = null;
    return this;
  }

  /** How many support users the last {@link #transform} ignored because no query row was theirs. */
  public long lastIgnoredSupportUsers() {
    return lastIgnoredSupportUsers;
  }

  /**
   * The adaptation table of {@code rows}' users: {@code userCol} int, {@link #SUPPORT_SIZE} int and
   * {@link #ADAPTATION} {@code array<float>}, one row per user, from the user's most recent {@code maxSupport} rows
   * in {@code timeCol} order. Rows need a user, feature ids, a time and a 0/1 label; a bad row fails naming the
   * column and value.
   */
  public Dataset<Row> adapt(Dataset<?> rows) {
    requireFitted();
    Dataset<Row> data = rows.toDF();
    RESUS.requireInputColumns(data.schema(), this);
    SchemaChecks.requireColumnType(data.schema(), getLabelCol(), DataTypes.DoubleType, DataTypes.FloatType,
        DataTypes.IntegerType, DataTypes.LongType);
    RESUS.requireValidRows(data, this, true);
    int partitions = data.sparkSession().sparkContext().defaultParallelism();
    Dataset<Row> scored = BaseLogits.appendInUserOrder(baseModel, data, this, RESUS.BASE_LOGIT, partitions);
    Broadcast<Map<String, float[]>> broadcast = broadcast(data);
    ResusConfig c = config;
    StructType schema = adaptationSchema();
    return data.sparkSession().createDataFrame(
        UserHistories.of(scored, RESUS.historyColumns(this), partitions)
            .mapPartitions(users -> adaptPartition(c, broadcast.value(), users)), schema);
  }

  private StructType adaptationSchema() {
    return new StructType().add(getUserCol(), DataTypes.IntegerType, false)
        .add(SUPPORT_SIZE, DataTypes.IntegerType, false)
        .add(ADAPTATION, DataTypes.createArrayType(DataTypes.FloatType, false), false);
  }

  private static Iterator<Row> adaptPartition(ResusConfig config, Map<String, float[]> parameters,
      Iterator<UserHistory> users) {
    ResusNetwork network = new ResusNetwork(config);
    network.setParameters(parameters);
    List<Row> out = new ArrayList<>();
    while (users.hasNext()) {
      UserHistory user = users.next();
      int to = user.size();
      int from = Math.max(0, to - config.maxSupport()); // the most recent maxSupport rows
      float[] adaptation = network.adapt(user.rows(from, to), user.baseLogits(from, to));
      Float[] boxed = new Float[adaptation.length];
      for (int i = 0; i < boxed.length; i++) {
        boxed[i] = adaptation[i];
      }
      out.add(RowFactory.create(user.user(), to - from, boxed));
    }
    return out.iterator();
  }

  private Broadcast<Map<String, float[]>> broadcast(Dataset<Row> data) {
    return JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext()).broadcast(parameters);
  }

  static StructType appendOutputs(StructType schema, ResusParams p) {
    return CtrSchema.appendOutputs(schema, p);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    RESUS.requireScoringColumns(schema, this);
    return appendOutputs(schema, this);
  }

  /**
   * The query rows with Spark classifier columns: {@code rawPredictionCol} {@code [−z, z]}, {@code probabilityCol}
   * {@code [1 − p, p]} and {@code predictionCol}, where {@code z} is the base logit plus the residual of the row's
   * user's support (none: the base logit).
   */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    requireFitted();
    StructType out = transformSchema(dataset.schema());
    Dataset<Row> queries = dataset.toDF();
    int keep = queries.schema().size();
    Dataset<Row> table = adaptation != null ? adaptation : support != null ? adapt(support) : null;
    Dataset<Row> scored = BaseLogits.append(baseModel, queries, this, RESUS.BASE_LOGIT);
    Dataset<Row> joined;
    if (table == null) {
      lastIgnoredSupportUsers = 0;
      joined = scored.withColumn(KEY, col(getUserCol()).cast("int"))
          .withColumn(KEY_SIZE, lit(null).cast("int")).withColumn(KEY_ADAPTATION, lit(null).cast("array<float>"));
    } else {
      Dataset<Row> keyed = table.select(col(getUserCol()).cast("int").as(KEY), col(SUPPORT_SIZE).as(KEY_SIZE),
          col(ADAPTATION).as(KEY_ADAPTATION));
      // counted on the support's (or table's) user column alone: the adaptation is computed once, for the join
      Dataset<Row> supportUsers = (adaptation != null ? adaptation : support)
          .select(col(getUserCol()).cast("int").as(KEY)).distinct();
      Dataset<Row> queryUsers = queries.select(col(getUserCol()).cast("int").as(KEY)).distinct();
      lastIgnoredSupportUsers = supportUsers.join(queryUsers, supportUsers.col(KEY).equalTo(queryUsers.col(KEY)),
          "left_anti").count();
      if (lastIgnoredSupportUsers > 0) {
        LOG.warn("RESUSModel {}: ignored the support of {} user(s) with no query row to score", uid,
            lastIgnoredSupportUsers);
      }
      // each user's rows in one partition, in a fixed order: the scorer's batches, and so the scores to the last
      // bit, do not depend on how the join ran
      joined = scored.join(keyed, scored.col(getUserCol()).cast("int").equalTo(keyed.col(KEY)), "left")
          .withColumn(KEY, scored.col(getUserCol()).cast("int"))
          .repartition(queries.sparkSession().sparkContext().defaultParallelism(), col(KEY))
          .sortWithinPartitions(col(KEY), col(getFeatureIdsCol()), col(RESUS.BASE_LOGIT));
    }
    StructType schema = joined.schema();
    String valuesCol = getFeatureValuesCol();
    CtrScorer rows = new CtrScorer(null, config.encoder().numFields(), config.encoder().numFeatures(), null,
        schema.fieldIndex(getFeatureIdsCol()), valuesCol.isEmpty() ? -1 : schema.fieldIndex(valuesCol),
        getFeatureIdsCol(), valuesCol, getThreshold());
    AdaptedScorer scorer = new AdaptedScorer(config, broadcast(queries), rows, keep, schema.fieldIndex(KEY),
        schema.fieldIndex(RESUS.BASE_LOGIT), schema.fieldIndex(KEY_SIZE), schema.fieldIndex(KEY_ADAPTATION),
        getThreshold());
    return joined.mapPartitions(scorer, Encoders.row(out));
  }

  /** A copy with the same network, base model, summary and support or adaptation table. */
  @Override
  public RESUSModel copy(ParamMap extra) {
    RESUSModel copied = new RESUSModel(uid, config, baseModel, parameters).setSummary(summary);
    copied.support = support;
    copied.adaptation = adaptation;
    return copyValues(copied, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new ResusModelWriter(this);
  }

  public static MLReader<RESUSModel> read() {
    return new ResusModelReader();
  }

  public static RESUSModel load(String path) {
    return read().load(path);
  }

  /**
   * Metadata (params) plus {@code data/network} (the {@link ResusConfig} fields), {@code data/parameters}
   * ({@link ParameterTables}), {@code data/summary} (when the model has one) and {@code baseModel/} (the base model's
   * own save). The support rows and adaptation table are data, not model: they are not saved.
   */
  static final class ResusModelWriter extends MLWriter {
    private final RESUSModel model;

    ResusModelWriter(RESUSModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      model.requireFitted();
      RESUS.saveNested(model.baseModel, path + "/baseModel", "RESUSModel's base model");
      PersistenceSupport.saveMetadata(model, path, sc());
      ResusConfig c = model.config;
      DeepFmConfig e = c.encoder();
      StructType networkSchema = new StructType().add("learner", DataTypes.StringType)
          .add("numFeatures", DataTypes.IntegerType).add("numFields", DataTypes.IntegerType)
          .add("embeddingDim", DataTypes.IntegerType)
          .add("hiddenLayers", DataTypes.createArrayType(DataTypes.IntegerType))
          .add("maxSupport", DataTypes.IntegerType).add("initScale", DataTypes.DoubleType)
          .add("lambda", DataTypes.DoubleType).add("stepSize", DataTypes.DoubleType)
          .add("adjustStepSize", DataTypes.DoubleType).add("maxIter", DataTypes.IntegerType)
          .add("patience", DataTypes.IntegerType).add("seed", DataTypes.LongType);
      Integer[] hidden = new Integer[e.hiddenLayers().length];
      for (int i = 0; i < hidden.length; i++) {
        hidden[i] = e.hiddenLayers()[i];
      }
      sparkSession().createDataFrame(List.of(RowFactory.create(c.learner(), e.numFeatures(), e.numFields(),
              e.embeddingDim(), hidden, c.maxSupport(), c.initScale(), c.lambda(), c.stepSize(), c.adjustStepSize(),
              c.maxIter(), c.patience(), c.seed())), networkSchema)
          .write().parquet(path + "/data/network");
      ParameterTables.write(sparkSession(), path + "/data/parameters", model.parameters);
      if (model.summary != null) {
        model.summary.write(sparkSession(), path + "/data/summary");
      }
    }
  }

  /** Reads what {@link ResusModelWriter} wrote. */
  static final class ResusModelReader extends MLReader<RESUSModel> {
    @Override
    public RESUSModel load(String path) {
      DefaultParamsReader.Metadata metadata = PersistenceSupport.loadMetadata(path, sc(), RESUSModel.class);
      Row n = sparkSession().read().parquet(path + "/data/network").first();
      List<Integer> hiddenList = n.getList(4);
      int[] hidden = new int[hiddenList.size()];
      for (int i = 0; i < hidden.length; i++) {
        hidden[i] = hiddenList.get(i);
      }
      DeepFmConfig encoder = new DeepFmConfig(n.getInt(1), n.getInt(2), n.getInt(3), hidden, n.getLong(12),
          EmbeddingLayout.uniform());
      ResusConfig config = new ResusConfig(n.getString(0), encoder, n.getInt(5), n.getDouble(6), n.getDouble(7),
          n.getDouble(8), n.getDouble(9), n.getInt(10), n.getInt(11), n.getLong(12));
      Map<String, float[]> parameters = ParameterTables.read(sparkSession(), path + "/data/parameters");
      Model<?> base = (Model<?>) PersistenceSupport.loadStage(path + "/baseModel", sc());
      RESUSModel model = new RESUSModel(metadata.uid(), config, base, parameters)
          .setSummary(TrainingSummary.readIfPresent(sparkSession(), path + "/data/summary"));
      PersistenceSupport.restoreParams(metadata, model);
      return model;
    }
  }
}
