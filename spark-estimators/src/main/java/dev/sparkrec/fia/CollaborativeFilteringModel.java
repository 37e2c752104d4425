package dev.sparkrec.fia;

import dev.sparkrec.ml.EmbeddingModel;
import dev.sparkrec.ml.PersistenceSupport;
import dev.sparkrec.ml.param.ParamRegistry;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.PulledRowsScoring;
import dev.sparkrec.train.TrainableModel;
import dev.sparkrec.train.TrainedParameters;
import dev.sparkrec.train.TrainingSummary;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What the fitted collaborative-filtering models share: scoring (user, item) rows, ALS-style top-k
 * recommendations, the id tables, the factor tables, the training {@link #summary()} and persistence.
 *
 * <p>The model keeps its parameters on the driver, where the trainer returns them. {@code transform} and the
 * recommendations broadcast them once per call and score on the executors (except that {@code transform} of a model
 * whose embedding tables a sharded run left in the cluster, above the session's
 * {@code spark.sparkrec.scoring.maxBroadcastTableBytes}, pulls the rows each partition reads instead:
 * {@link PulledRowsScoring}; above that limit the factor tables, the vectors and the recommendations also read the
 * rows from the shards, the recommendations as pairs of user and item blocks: {@link ShardedTopK}):
 * {@code recommendForAllUsers} runs the
 * network over every (user, item) pair in batches, each task handling a range of users and keeping the top k, so
 * nothing is collected back beyond the recommendations themselves. When the session has SparkRec's array functions
 * ({@code dev.sparkrec.ml.ArrayFunctions}) a model whose prediction is a dot product (MF) recommends instead as Spark
 * SQL: a cross join with the broadcast factor table, {@code sparkrec_dot} and a window top-k, which a RAPIDS
 * cluster keeps on the GPU (same ranking; scores agree to float rounding).
 *
 * <p>A model trained with another embedding layout than the uniform one ({@link #embeddingLayout()}, e.g. searched
 * mixed dimensions) is saved in that layout, but everything else reads its embedding tables in full
 * ({@code rows × dim}; a mixed-dimension table zero-padded, a soft selection as {@code E ⊙ α}): scoring,
 * recommendations, the factor tables and vectors, the {@link #predictor()} of influence analysis and
 * {@link #network()} see the equivalent uniform model, which predicts the same.
 *
 * @param <M> the model itself, so that setters chain
 */
public abstract class CollaborativeFilteringModel<M extends CollaborativeFilteringModel<M>> extends Model<M>
    implements CfParams, MLWritable, FactorizedModel, EmbeddingModel {

  private static final long serialVersionUID = 1L;
  private static final DataType FLOATS = DataTypes.createArrayType(DataTypes.FloatType, false);

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();
  private final CfModelData data;

  /** A model holding {@code data}, or an unfitted shell (as Spark's reflection needs) when it is null. */
  CollaborativeFilteringModel(String uid, CfModelData data) {
    this.uid = uid;
    this.data = data;
    CfParams.setDefaults(this);
  }

  @Override
  public final ParamRegistry paramRegistry() {
    return paramRegistry;
  }

  @Override
  public final String uid() {
    return uid;
  }

  /** This model, typed for chained setters. */
  protected abstract M self();

  /**
   * Builds the network's shape (fresh weights) from the params, for the given sizes, width of the embedding tables
   * and embedding layout.
   */
  abstract ModelFactory networkFactory(int numUsers, int numItems, double globalMean, int embeddingDim,
      EmbeddingLayout layout);

  /** The network of {@link #data()}'s full tables (the uniform layout), fresh weights. */
  final ModelFactory networkFactory() {
    return networkFactory(data().users().size(), data().items().size(), data().globalMean(), data().embeddingDim(),
        EmbeddingLayout.uniform());
  }

  /** Whether the network's output is a logit whose sigmoid is the prediction. */
  abstract boolean predictsProbabilities();

  /** Parameter tables whose rows, side by side, form a user's vector {@code x_u}. */
  abstract String[] userVectorParts();

  /** Parameter tables whose rows, side by side, form an item's vector {@code y_i}. */
  abstract String[] itemVectorParts();

  public M setUserCol(String value) {
    set(userCol(), value);
    return self();
  }

  public M setItemCol(String value) {
    set(itemCol(), value);
    return self();
  }

  public M setPredictionCol(String value) {
    set(predictionCol(), value);
    return self();
  }

  public M setColdStartStrategy(String value) {
    set(coldStartStrategy(), value);
    return self();
  }

  /** The learned ids, parameters and global mean, or null for an unfitted shell. */
  CfModelData rawData() {
    return data;
  }

  /** The learned ids, parameters and global mean. */
  CfModelData data() {
    requireFitted();
    return data;
  }

  private void requireFitted() {
    if (data == null) {
      throw new IllegalStateException(getClass().getSimpleName() + " " + uid + " holds no trained parameters; fit "
          + "its estimator or load a saved model.");
    }
  }

  /** The layout the embedding tables were trained in (uniform unless fitted with searched dimensions). */
  @Override
  public EmbeddingLayout embeddingLayout() {
    return data().layout();
  }

  /**
   * Copies of the embedding tables' parameters by name, as trained: the full tables under the uniform layout,
   * {@code <table>.block<b>} under mixed dimensions, the table and {@code <table>.alpha} under a soft selection.
   */
  @Override
  public Map<String, float[]> embeddingParameters() {
    return data().embeddingParameters();
  }

  /** Stored embedding entries over all tables: {@code Σ_b rows_b·d_b} per mixed-dimension table. */
  @Override
  public long embeddingParameterCount() {
    return data().embeddingParameterCount();
  }

  /** True when the model knows how it was trained: it was fitted, or loaded from a save of a fitted model. */
  public boolean hasSummary() {
    return data != null && data.summary() != null;
  }

  /**
   * How the model was trained: per-epoch losses and validation metrics, the best epoch and why training
   * stopped. Saved with the model.
   */
  public TrainingSummary summary() {
    if (!hasSummary()) {
      throw new IllegalStateException(getClass().getSimpleName() + " " + uid + " has no training summary: it was "
          + "not fitted by its estimator, or was saved by a version of SparkRec without summaries. Check "
          + "hasSummary() first.");
    }
    return data.summary();
  }

  /** The distinct user ids of the training data, ascending; a user's index in the network is its position. */
  public int[] userIds() {
    return data().users().ids();
  }

  /** The distinct item ids of the training data, ascending; an item's index in the network is its position. */
  public int[] itemIds() {
    return data().items().ids();
  }

  /**
   * A new network carrying the fitted weights, for warm-start retraining on SparkRec's trainer: it reads batches
   * whose feature ids are {@code [userIndex, numUsers + itemIndex]} (indices into {@link #userIds()} and
   * {@link #itemIds()}), with the rating as label and an optional weight that multiplies the rating's whole term
   * of the objective (weight 0 removes the rating). The network holds the full tables (the uniform layout),
   * whatever layout the model was trained in.
   */
  public TrainableModel network() {
    return warmStartFactory().create();
  }

  /**
   * A factory for SparkRec's {@code Trainer} whose networks start from the fitted weights (what {@link #network()}
   * returns), for warm-start retraining; serializable, and it carries the weights.
   */
  public ModelFactory warmStartFactory() {
    return new WarmStart(networkFactory(), data().forExecutors());
  }

  /** Builds a network of the fitted shape and loads the fitted parameters into it. */
  private static final class WarmStart implements ModelFactory {
    private static final long serialVersionUID = 1L;
    private final ModelFactory shape;
    private final CfModelData data;

    WarmStart(ModelFactory shape, CfModelData data) {
      this.shape = shape;
      this.data = data;
    }

    @Override
    public TrainableModel create() {
      TrainableModel network = shape.create();
      dev.sparkrec.nn.ParameterValues.copyInto(network.parameters(), data.parameters());
      return network;
    }
  }

  @Override
  public StructType transformSchema(StructType schema) {
    RatingSchema.requireScoringColumns(schema, this);
    return RatingSchema.appendPrediction(schema, this);
  }

  /**
   * Appends the prediction (float) of each row's (user, item) pair; a pair whose user or item was not in the
   * training data, or is null, predicts NaN or is dropped ({@code coldStartStrategy}).
   */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType schema = dataset.schema();
    StructType out = transformSchema(schema);
    SparkSession spark = dataset.sparkSession();
    int userIndex = schema.fieldIndex(getUserCol());
    int itemIndex = schema.fieldIndex(getItemCol());
    boolean dropUnknown = CfParams.DROP.equals(getColdStartStrategy());
    ModelFactory networks = networkFactory();
    if (tablesReadInCluster(spark) != null) {
      // tables a sharded run left in the cluster, above the broadcast limit: each partition pulls the rows it reads
      Broadcast<CfModelData> ids = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(data().idsOnly());
      RatingScorer scorer = new RatingScorer(new BroadcastNetwork(networks, ids, predictsProbabilities()), userIndex,
          itemIndex, dropUnknown);
      return spark.createDataFrame(PulledRowsScoring.score(dataset.toDF().javaRDD(),
          data().inCluster(), networks, scorer), out);
    }
    RatingScorer scorer = new RatingScorer(broadcastNetwork(spark), userIndex, itemIndex, dropUnknown);
    return dataset.toDF().mapPartitions(scorer, Encoders.row(out));
  }

  /**
   * The top {@code k} items for every training user, as ALS returns them: {@code userCol} int and
   * {@code recommendations} {@code array<struct<itemCol: int, rating: float>>}, highest predicted rating first
   * (ties by smaller item id). Computed on the executors (see the class comment).
   */
  public Dataset<Row> recommendForAllUsers(int k) {
    return recommend(true, k);
  }

  /**
   * The top {@code k} users for every training item: {@code itemCol} int and {@code recommendations}
   * {@code array<struct<userCol: int, rating: float>>}, highest predicted rating first (ties by smaller user id).
   */
  public Dataset<Row> recommendForAllItems(int k) {
    return recommend(false, k);
  }

  private Dataset<Row> recommend(boolean forUsers, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    SparkSession spark = SparkSession.active();
    StructType schema = forUsers ? RatingSchema.recommendations(getUserCol(), getItemCol())
        : RatingSchema.recommendations(getItemCol(), getUserCol());
    TrainedParameters inCluster = tablesReadInCluster(spark);
    if (inCluster != null) { // blocks of rows from the shards, scored pairwise: no table through the driver
      return ShardedTopK.recommend(spark, inCluster, networkFactory(), data().idsOnly(), predictsProbabilities(),
          forUsers, userVectorParts(), itemVectorParts(), k, schema);
    }
    if (DotProductTopK.sqlPath(spark, predictor())) { // MF: Spark SQL over sparkrec_dot (GPU-eligible)
      Dataset<Row> top = DotProductTopK.sql((FactorPredictor) predictor(), forUsers ? userVectors() : itemVectors(),
          forUsers, forUsers ? itemVectors() : userVectors(), null, k);
      return forUsers ? DotProductTopK.asRecommendationLists(top, getUserCol(), getItemCol())
          : DotProductTopK.asRecommendationLists(top, getItemCol(), getUserCol());
    }
    int queries = forUsers ? data().users().size() : data().items().size();
    int partitions = Math.max(1, Math.min(queries, spark.sparkContext().defaultParallelism()));
    return spark.range(0, queries, 1, partitions).mapPartitions(
        new TopKRecommender(broadcastNetwork(spark), forUsers, k), Encoders.row(schema));
  }

  /**
   * The parameters, when their embedding tables are to be read where they are, in the cluster: a sharded run (or a
   * load) left them there and they hold more than the session's
   * {@code spark.sparkrec.scoring.maxBroadcastTableBytes} ({@link PulledRowsScoring#pulls}); else null.
   */
  private TrainedParameters tablesReadInCluster(SparkSession spark) {
    TrainedParameters inCluster = data().inCluster();
    return inCluster != null && PulledRowsScoring.pulls(spark, inCluster, networkFactory()) ? inCluster : null;
  }

  /**
   * The rows {@code rows} (given the broadcast ids) makes of the {@code parts} tables' rows, read where they are in
   * the cluster, in blocks straight from the shards.
   */
  private Dataset<Row> fromShards(SparkSession spark, TrainedParameters inCluster, String[] parts, StructType schema,
      Function<Broadcast<CfModelData>, FactorRows> rows) {
    Broadcast<CfModelData> ids = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(data().idsOnly());
    return spark.createDataFrame(inCluster.tablesInCluster().rowBlocks(List.of(parts), ShardedTopK.BLOCK_ROWS)
        .flatMap(rows.apply(ids)), schema);
  }

  private BroadcastNetwork broadcastNetwork(SparkSession spark) {
    Broadcast<CfModelData> broadcast =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(data().forExecutors());
    return new BroadcastNetwork(networkFactory(), broadcast, predictsProbabilities());
  }

  /** {@code id: int, vector: array<float>} for every training user, {@code x_u} in {@link #predictor()}'s layout. */
  @Override
  public Dataset<Row> userVectors() {
    return vectors(true, userVectorParts());
  }

  /** {@code id: int, vector: array<float>} for every training item, {@code y_i} in {@link #predictor()}'s layout. */
  @Override
  public Dataset<Row> itemVectors() {
    return vectors(false, itemVectorParts());
  }

  /**
   * The vectors as a partitioned table built on the executors from one broadcast of the model's parameters: no row
   * per id is made on the driver, whatever the number of users or items.
   */
  private Dataset<Row> vectors(boolean users, String[] parts) {
    SparkSession spark = SparkSession.active();
    StructType schema = new StructType().add("id", DataTypes.IntegerType, false).add("vector", FLOATS, false);
    TrainedParameters inCluster = tablesReadInCluster(spark);
    if (inCluster != null) {
      return fromShards(spark, inCluster, parts, schema, ids -> FactorRows.vectors(ids, users));
    }
    return byIndex(spark, users, schema, broadcast -> new VectorRow(broadcast, users, parts));
  }

  /**
   * A table with a row per user (or item) index, made on the executors by {@code rows} from one broadcast of the
   * model's parameters (uniform tables): no row per id is made on the driver.
   */
  private Dataset<Row> byIndex(SparkSession spark, boolean users, StructType schema,
      Function<Broadcast<CfModelData>, MapFunction<Long, Row>> rows) {
    int count = users ? data().users().size() : data().items().size();
    int partitions = Math.max(1, Math.min(count, spark.sparkContext().defaultParallelism()));
    Broadcast<CfModelData> broadcast =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(data().forExecutors());
    return spark.range(0, count, 1, partitions).map(rows.apply(broadcast), Encoders.row(schema));
  }

  /** Row {@code index} of the user (or item) vector table: its id and its parts' table rows, concatenated. */
  private static final class VectorRow implements MapFunction<Long, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<CfModelData> data;
    private final boolean users;
    private final String[] parts;

    VectorRow(Broadcast<CfModelData> data, boolean users, String[] parts) {
      this.data = data;
      this.users = users;
      this.parts = parts;
    }

    @Override
    public Row call(Long index) {
      CfModelData model = data.value();
      int i = Math.toIntExact(index);
      return RowFactory.create((users ? model.users() : model.items()).id(i), vector(model, users, parts, i));
    }
  }

  /** The vector of the user (or item) at index {@code i}: its parts' table rows, concatenated. */
  private static float[] vector(CfModelData model, boolean users, String[] parts, int i) {
    int size = (users ? model.users() : model.items()).size();
    int width = 0;
    for (String part : parts) {
      width += model.parameters().get(part).length / size;
    }
    float[] vector = new float[width];
    int at = 0;
    for (String part : parts) {
      float[] table = model.parameters().get(part);
      int w = table.length / size;
      System.arraycopy(table, i * w, vector, at, w);
      at += w;
    }
    return vector;
  }

  /**
   * The ids of {@link #userVectors()} (or {@link #itemVectors()}) by index, where this model holds its parameters on
   * the driver; null where a sharded run left them in the cluster (they are then read from the table).
   */
  IdIndex vectorIds(boolean users) {
    if (tablesReadInCluster(SparkSession.active()) != null) {
      return null;
    }
    return users ? data().users() : data().items();
  }

  /** The rows of {@link #userVectors()} (or {@link #itemVectors()}) by index, where {@link #vectorIds} is not null. */
  float[][] vectorsOnDriver(boolean users) {
    CfModelData model = data().asUniform();
    String[] parts = users ? userVectorParts() : itemVectorParts();
    float[][] vectors = new float[(users ? model.users() : model.items()).size()][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = vector(model, users, parts, i);
    }
    return vectors;
  }

  /**
   * A table with {@code id: int} and, for each of {@code parts}, a column named by {@code columns}: the
   * parameter table's row, as {@code array<float>}, or as a {@code float} where {@code scalar} is set.
   */
  Dataset<Row> factorTable(boolean users, String[] parts, String[] columns, boolean[] scalar) {
    StructType schema = new StructType().add("id", DataTypes.IntegerType, false);
    for (int c = 0; c < columns.length; c++) {
      schema = schema.add(columns[c], scalar[c] ? DataTypes.FloatType : FLOATS, false);
    }
    SparkSession spark = SparkSession.active();
    TrainedParameters inCluster = tablesReadInCluster(spark);
    if (inCluster != null) {
      return fromShards(spark, inCluster, parts, schema, idData -> FactorRows.columns(idData, users, scalar));
    }
    return byIndex(spark, users, schema, broadcast -> new FactorRow(broadcast, users, parts, scalar));
  }

  /**
   * Row {@code index} of a factor table: its id and, for each of its parts, the parameter table's row (or its single
   * entry, where {@code scalar} is set).
   */
  private static final class FactorRow implements MapFunction<Long, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<CfModelData> data;
    private final boolean users;
    private final String[] parts;
    private final boolean[] scalar;

    FactorRow(Broadcast<CfModelData> data, boolean users, String[] parts, boolean[] scalar) {
      this.data = data;
      this.users = users;
      this.parts = parts;
      this.scalar = scalar;
    }

    @Override
    public Row call(Long index) {
      CfModelData model = data.value();
      IdIndex ids = users ? model.users() : model.items();
      int i = Math.toIntExact(index);
      Object[] values = new Object[parts.length + 1];
      values[0] = ids.id(i);
      for (int c = 0; c < parts.length; c++) {
        float[] table = model.parameters().get(parts[c]);
        int width = table.length / ids.size();
        values[c + 1] = scalar[c] ? (Object) table[i * width]
            : Arrays.copyOfRange(table, i * width, (i + 1) * width);
      }
      return RowFactory.create(values);
    }
  }

  @Override
  public MLWriter write() {
    return new CfModelWriter(this);
  }

  /**
   * Metadata (params) plus {@link CfModelData}'s tables (ids, trained parameters, embedding layout, summary) under
   * {@code path/data}.
   */
  public static final class CfModelWriter extends MLWriter {
    private final CollaborativeFilteringModel<?> model;

    CfModelWriter(CollaborativeFilteringModel<?> model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      CfModelData data = model.data();
      PersistenceSupport.saveMetadata(model, path, sc());
      data.save(sparkSession(), path);
    }
  }

  /** Reads what {@link CfModelWriter} wrote into a new model built by {@code constructor(uid, data)}. */
  public static final class CfModelReader<M extends CollaborativeFilteringModel<M>> extends MLReader<M> {
    private final Class<M> modelClass;
    private final BiFunction<String, CfModelData, M> constructor;

    CfModelReader(Class<M> modelClass, BiFunction<String, CfModelData, M> constructor) {
      this.modelClass = modelClass;
      this.constructor = constructor;
    }

    @Override
    public M load(String path) {
      DefaultParamsReader.Metadata metadata = PersistenceSupport.loadMetadata(path, sc(), modelClass);
      M shell = constructor.apply(metadata.uid(), null);
      PersistenceSupport.restoreParams(metadata, shell); // the params that shape the network
      M model = constructor.apply(metadata.uid(), CfModelData.load(sparkSession(), path, shell::networkFactory));
      PersistenceSupport.restoreParams(metadata, model);
      return model;
    }
  }
}
