package dev.sparkrec.fia;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;

import dev.sparkrec.ml.ArrayFunctions;
import dev.sparkrec.ml.param.HasColdStartStrategy;
import dev.sparkrec.ml.param.HasItemCol;
import dev.sparkrec.ml.param.HasPredictionCol;
import dev.sparkrec.ml.param.HasRatingCol;
import dev.sparkrec.ml.param.HasUserCol;
import dev.sparkrec.ml.param.ParamRegistry;
import dev.sparkrec.ml.PersistenceSupport;
import dev.sparkrec.ml.SchemaChecks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Explains a fitted recommender's predictions with fast influence analysis (FIA, Cheng et al., KDD 2019): for each
 * input (user, item) pair it adds the {@code prediction} and the {@code explanations}, the {@code topK} training
 * ratings whose removal would change that prediction most, as
 * {@code array<struct<user:int, item:int, rating:float, influence:double>>} sorted by |influence|, where
 * {@code influence} estimates the change of the prediction if that rating were removed (positive: the prediction
 * would rise). "Predicted 4.5 because you rated X" is a user-side entry (the user's own rating of X).
 *
 * <p>The prediction and the influences are on the scale of the explained model's own {@code transform}: for a
 * model trained with binary cross-entropy ({@code NeuralCF} with loss "bce") the prediction is the probability
 * {@code p = σ(f)} and each influence is the change of {@code p}, {@code p(1 − p)} times the influence on the
 * logit {@code f} (first order, as FIA). {@link InfluenceCalculator} works on {@code f} itself.
 *
 * <p>Candidates are the related ratings: the user's ratings and the item's ratings. Only the pair's user vector
 * {@code x_u} and item vector {@code y_i} are re-fitted in the estimate (shared weights fixed, as in FIA):
 * {@code influence(z) = ∇f_ui · H⁻¹ ∇ℓ_z} with {@code H} the Hessian of the training objective in
 * {@code [x_u; y_i]} (see {@link FactorizedPredictor} for the objective). Every explaining rating carries its
 * leverage; {@link #influenceForm()} chooses the first-order or the leave-one-out form, or (MF, ALS, sparse data)
 * re-fitting the explained vectors with their ratings' counterparts, and a rating whose removal
 * would leave the user or item without ratings is flagged {@code orphaned} (see {@link InfluenceCalculator}).
 *
 * <p>Configured with a fitted {@link FactorizedModel} — {@code MatrixFactorizationModel}, {@code NeuralCFModel},
 * or an MLlib {@link ALSModel} with its {@code regParam} — and the ratings it was trained on ({@code userCol},
 * {@code itemCol}, {@code ratingCol}). For a pair that is not a training rating {@code H} is block-diagonal, so
 * each user's and each item's block is factored once and scores its pairs by GEMM; a pair that is a training rating
 * gets the exact joint solve. Two plans do this on the executors:
 * <ul>
 *   <li><b>Broadcast</b> ({@link BroadcastExplanations}), when the training ratings and the model's vectors take at
 *       most Spark's {@code spark.sql.autoBroadcastJoinThreshold} (default 10 MB; about 16 bytes a rating): like a
 *       join's small side, they are read to the driver (with a limit, never in full above the threshold) and
 *       broadcast once per {@code transform}, which therefore runs a few small jobs itself; each partition of pairs
 *       is then explained where it is, with no shuffle, grouped by user and by item within the task, in batches of
 *       at most {@code spark.sparkrec.explainer.batchPairs} pairs (default 65,536).</li>
 *   <li><b>Grouped</b> ({@link GroupedExplanations}), above the threshold (or with it at -1), and for
 *       {@code influenceScoring = "arrayFunctions"} and {@code influenceForm = "refitNeighbours"}: the pairs and the
 *       ratings meet in one shuffle by user and by item, hot users and items split over several tasks; the input is
 *       read twice (skew statistics, scoring), so cache it when it is expensive.</li>
 * </ul>
 * Both give the same explanations. No pair is collected to the driver. A pair whose user or item the model does not know gets a NaN prediction and no explanations
 * ({@code coldStartStrategy = "nan"}) or is dropped ({@code "drop"}). Output rows come in no particular order, as
 * Spark's shuffles leave them, unless {@link #keepInputOrder()} asks for the input's. Null, NaN or infinite training
 * ratings fail the transform with a message naming the column and the rating; so does a training rating of a user
 * or item the model lacks (the ratings must be the ones the model was fitted on). {@link #recommendAndExplain}
 * recommends and explains in one job. {@link #influenceScoring()} can move the per-rating arithmetic into Spark SQL
 * over {@code sparkrec_scaled_dot}, for a RAPIDS cluster's GPU.
 *
 * <p>Saving writes the params and the model (under {@code model/}), and the training ratings by reference when they
 * are a whole Delta table read at one version (its path and version, under {@code data/ratingsSource}; loading reads
 * that version back by time travel, so the table must keep it), else as a copy (Parquet, under
 * {@code data/ratings}): files that may change, filtered or computed ratings have no stable reference.
 */
public final class InfluenceExplainer extends Transformer
    implements HasUserCol, HasItemCol, HasRatingCol, HasPredictionCol, HasColdStartStrategy, MLWritable {

  private static final long serialVersionUID = 1L;

  static final String USER_VECTOR = "__sparkrec_user_vector";
  static final String ITEM_VECTOR = "__sparkrec_item_vector";
  static final String ROW_ORDER = "__sparkrec_row_order";

  /** The element type of the explanations column. */
  public static final StructType EXPLANATION = new StructType()
      .add("user", DataTypes.IntegerType, false)
      .add("item", DataTypes.IntegerType, false)
      .add("rating", DataTypes.FloatType, false)
      .add("influence", DataTypes.DoubleType, false)
      .add("leverage", DataTypes.DoubleType, false)
      .add("orphaned", DataTypes.BooleanType, false);

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();

  private FactorizedModel model;
  private transient Dataset<Row> trainingRatings;

  public InfluenceExplainer() {
    this(Identifiable.randomUID("influenceExplainer"));
  }

  public InfluenceExplainer(String uid) {
    this.uid = uid;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public ParamRegistry paramRegistry() {
    return paramRegistry;
  }

  public InfluenceExplainer setUserCol(String value) {
    set(userCol(), value);
    return this;
  }

  public InfluenceExplainer setItemCol(String value) {
    set(itemCol(), value);
    return this;
  }

  public InfluenceExplainer setRatingCol(String value) {
    set(ratingCol(), value);
    return this;
  }

  public InfluenceExplainer setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  /**
   * Output column of the explanations; each influence is the change of the prediction in
   * {@link #predictionCol()}, on its scale. Default: "explanations".
   */
  public Param<String> explanationsCol() {
    return param("explanationsCol", o -> new Param<>(o, "explanationsCol",
        "output column of the explanations: array<struct<user:int, item:int, rating:float, influence:double>>, "
            + "influence being the change of the prediction on the scale the model predicts"), "explanations");
  }

  public String getExplanationsCol() {
    return getOrDefault(explanationsCol());
  }

  public InfluenceExplainer setExplanationsCol(String value) {
    set(explanationsCol(), value);
    return this;
  }

  /** Training ratings listed per pair, largest |influence| first (>= 1). Default: 10. */
  public IntParam topK() {
    return param("topK", o -> new IntParam(o, "topK",
        "number of training ratings listed per pair, by |influence| (>= 1)", ParamValidators.gtEq(1)), 10);
  }

  public int getTopK() {
    return (Integer) getOrDefault(topK());
  }

  public InfluenceExplainer setTopK(int value) {
    set(topK(), value);
    return this;
  }

  public InfluenceExplainer setColdStartStrategy(String value) {
    set(coldStartStrategy(), value);
    return this;
  }

  /** Added to the Hessian's diagonal before the Cholesky solve (>= 0). Default: 1e-6, as the FIA reference. */
  public DoubleParam damping() {
    return param("damping", o -> new DoubleParam(o, "damping", "added to the Hessian's diagonal before solving (>= 0)",
        ParamValidators.gtEq(0)), 1e-6);
  }

  public double getDamping() {
    return (Double) getOrDefault(damping());
  }

  public InfluenceExplainer setDamping(double value) {
    set(damping(), value);
    return this;
  }

  /**
   * The form of the influences: {@code "leaveOneOut"}, the first-order influence corrected by the rating's
   * leverage {@code h_z} in its user's or item's block (Sherman–Morrison; exact leave-one-out re-fitting of the
   * explained user's and item's vectors when the objective is quadratic in each, as for MF and ALS);
   * {@code "firstOrder"}, FIA's form; {@code "refitNeighbours"} (MF and ALS only), leave-one-out re-fitting of the
   * explained user's vector together with the items it rated (and of the item's vector together with its raters),
   * every other vector fixed ({@link NeighbourRefit}): on sparse ratings, where removing a rating also moves the
   * vectors it pairs with, it tracks full leave-one-out retraining where the restricted forms underestimate it, at
   * a cost of {@code O(n²)} ridge solves per user or item with {@code n} ratings, so it is meant for sparse data;
   * a pair that is itself a training rating keeps the leave-one-out form; not with
   * {@code influenceScoring = "arrayFunctions"}. Or {@code "auto"} (default), the leave-one-out form where the
   * model's objective is quadratic in each vector ({@link FactorizedPredictor#quadraticInEachVector()}: MF, ALS) and
   * the first-order form otherwise (NCF). Against full leave-one-out retraining the leave-one-out form measured much
   * closer in scale for MF and ALS and worse for NCF, whose Hessian is Gauss–Newton (see the module README).
   */
  public Param<String> influenceForm() {
    return param("influenceForm", o -> new Param<>(o, "influenceForm", "the form of the influences: auto"
        + " (leave-one-out where the objective is quadratic in each vector, as for MF and ALS; first-order otherwise),"
        + " firstOrder, leaveOneOut or refitNeighbours (MF and ALS: re-fits the explained vector with its ratings'"
        + " counterparts, for sparse data)",
        ParamValidators.inArray(new String[] {"auto", "firstOrder", "leaveOneOut", "refitNeighbours"})), "auto");
  }

  public String getInfluenceForm() {
    return (String) getOrDefault(influenceForm());
  }

  public InfluenceExplainer setInfluenceForm(String value) {
    set(influenceForm(), value);
    return this;
  }

  /**
   * Whether output rows keep the input's order: a global sort by input position, whose range exchange samples
   * (and so computes) the explanations once more. Default false: Spark's usual contract, no order guarantee.
   */
  public BooleanParam keepInputOrder() {
    return param("keepInputOrder", o -> new BooleanParam(o, "keepInputOrder", "whether output rows keep the"
        + " input's order, by a global sort that computes the explanations once more (default false)"), false);
  }

  public boolean getKeepInputOrder() {
    return (Boolean) getOrDefault(keepInputOrder());
  }

  public InfluenceExplainer setKeepInputOrder(boolean value) {
    set(keepInputOrder(), value);
    return this;
  }

  /**
   * Where the influences are scored: {@code "blocks"} (default), in the JVM, by one GEMM per user's (or item's)
   * block and chunk of pairs; or {@code "arrayFunctions"}, as Spark SQL over {@code sparkrec_scaled_dot}, one row per
   * (pair, related rating), which the RAPIDS Accelerator keeps on the GPU. The second needs SparkRec's SQL
   * functions in the session ({@code dev.sparkrec.gpu.SparkRecFunctions.register(spark)}, module {@code gpu-udfs})
   * and materialises pairs × related ratings rows: for a GPU cluster and moderate rating lists. Both give the same
   * explanations, to float rounding of the influences.
   */
  public Param<String> influenceScoring() {
    return param("influenceScoring", o -> new Param<>(o, "influenceScoring", "where the influences are scored:"
        + " blocks (in the JVM, one GEMM per user or item block) or arrayFunctions (Spark SQL over"
        + " sparkrec_scaled_dot, one row per pair and related rating, GPU-eligible under RAPIDS)",
        ParamValidators.inArray(new String[] {"blocks", "arrayFunctions"})), "blocks");
  }

  public String getInfluenceScoring() {
    return (String) getOrDefault(influenceScoring());
  }

  public InfluenceExplainer setInfluenceScoring(String value) {
    set(influenceScoring(), value);
    return this;
  }

  /**
   * Whether {@link #influenceForm()} resolves to the leave-one-out form for {@code predictor} (with
   * {@code refitNeighbours}, for pairs that are training ratings).
   */
  boolean leaveOneOutFor(FactorizedPredictor predictor) {
    switch (getInfluenceForm()) {
      case "leaveOneOut":
      case "refitNeighbours":
        return true;
      case "firstOrder":
        return false;
      default:
        return predictor.quadraticInEachVector();
    }
  }


  /** The explained model; it must also be {@link MLWritable} with a static {@code load(String)} to be saved. */
  public InfluenceExplainer setModel(FactorizedModel value) {
    if (value == null) {
      throw new IllegalArgumentException("a fitted model is required");
    }
    model = value;
    return this;
  }

  /**
   * Explains an MLlib ALS model fitted with explicit feedback, {@code nonnegative = false} and {@code regParam};
   * a model whose {@code parent()} ALS says otherwise is rejected, and a loaded model (no parent) is taken to be
   * such a model. See {@link AlsFactorizedModel}.
   */
  public InfluenceExplainer setModel(ALSModel als, double regParam) {
    return setModel(new AlsFactorizedModel(als, regParam));
  }

  public FactorizedModel getModel() {
    return model;
  }

  /** The ratings the model was trained on: {@code userCol}, {@code itemCol} (int) and {@code ratingCol}. */
  public InfluenceExplainer setTrainingRatings(Dataset<Row> value) {
    if (value == null) {
      throw new IllegalArgumentException("the training ratings are required");
    }
    trainingRatings = value;
    return this;
  }

  public Dataset<Row> getTrainingRatings() {
    return trainingRatings;
  }

  private void requireConfigured() {
    if (model == null || trainingRatings == null) {
      throw new IllegalStateException("InfluenceExplainer " + uid + " needs a fitted model (setModel) and the "
          + "ratings it was trained on (setTrainingRatings) before transform.");
    }
  }

  @Override
  public StructType transformSchema(StructType schema) {
    SchemaChecks.requireColumnType(schema, getUserCol(), DataTypes.IntegerType, DataTypes.LongType);
    SchemaChecks.requireColumnType(schema, getItemCol(), DataTypes.IntegerType, DataTypes.LongType);
    SchemaChecks.requireAbsent(schema, getPredictionCol());
    SchemaChecks.requireAbsent(schema, getExplanationsCol());
    StructType out = SchemaChecks.append(schema,
        new StructField(getPredictionCol(), DataTypes.DoubleType, false, Metadata.empty()));
    return SchemaChecks.append(out, new StructField(getExplanationsCol(), DataTypes.createArrayType(EXPLANATION, false),
        false, Metadata.empty()));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    requireConfigured();
    boolean throughArrayFunctions = "arrayFunctions".equals(getInfluenceScoring());
    boolean refitNeighbours = "refitNeighbours".equals(getInfluenceForm());
    if (refitNeighbours && throughArrayFunctions) {
      throw new IllegalArgumentException("InfluenceExplainer " + uid + ": influenceForm = \"refitNeighbours\" is"
          + " scored in the JVM; set influenceScoring to \"blocks\" or choose another influenceForm.");
    }
    if (refitNeighbours && !model.predictor().quadraticInEachVector()) {
      throw new IllegalArgumentException("InfluenceExplainer " + uid + ": influenceForm = \"refitNeighbours\" needs"
          + " a model whose objective is quadratic in each vector (MatrixFactorizationModel, ALS); "
          + model.getClass().getSimpleName() + "'s is not: use \"auto\", \"firstOrder\" or \"leaveOneOut\".");
    }
    if (throughArrayFunctions && !ArrayFunctions.registered(dataset.sparkSession())) {
      throw new IllegalStateException("InfluenceExplainer " + uid + ": influenceScoring = \"arrayFunctions\" needs"
          + " SparkRec's SQL functions (" + ArrayFunctions.SCALED_DOT + "), which this session does not have: call"
          + " dev.sparkrec.gpu.SparkRecFunctions.register(spark) (module gpu-udfs) first, or set influenceScoring to"
          + " \"blocks\".");
    }
    StructType schema = dataset.schema();
    StructType out = transformSchema(schema);
    Dataset<Row> ratings = RelatedRatings.validated(trainingRatings, getUserCol(), getItemCol(), getRatingCol());

    // Each row carries its input position: it identifies the pair between the two sides, and sorts the output
    // back when keepInputOrder asks.
    Dataset<Row> pairs = dataset.toDF().withColumn(ROW_ORDER, monotonically_increasing_id());
    StructType withOrder = out.add(ROW_ORDER, DataTypes.LongType, false);
    FactorizedPredictor predictor = model.predictor();
    BroadcastExplanations.RatingLists lists = throughArrayFunctions || refitNeighbours ? null
        : BroadcastExplanations.collect(ratings, model,
            dataset.sparkSession().sessionState().conf().autoBroadcastJoinThreshold());
    if (lists != null) {
      Dataset<Row> explained = BroadcastExplanations.explain(pairs, getUserCol(), getItemCol(),
          schema.fieldNames().length, lists, predictor, getDamping(), leaveOneOutFor(predictor), getTopK(),
          "drop".equals(getColdStartStrategy()), withOrder);
      return (getKeepInputOrder() ? explained.orderBy(ROW_ORDER) : explained).drop(ROW_ORDER);
    }
    Dataset<Row> userVectors = model.userVectors();
    Dataset<Row> itemVectors = model.itemVectors();
    Column user = pairs.col(getUserCol());
    Column item = pairs.col(getItemCol());
    Dataset<Row> joined = pairs
        .join(userVectors.select(col("id").as("__uv_id"), col("vector").as(USER_VECTOR)),
            user.equalTo(col("__uv_id")), "left")
        .join(itemVectors.select(col("id").as("__iv_id"), col("vector").as(ITEM_VECTOR)),
            item.equalTo(col("__iv_id")), "left")
        .withColumn("__pair_user", coalesce(user.cast(DataTypes.IntegerType), lit(Integer.MIN_VALUE)))
        .withColumn("__pair_item", coalesce(item.cast(DataTypes.IntegerType), lit(Integer.MIN_VALUE)));
    Dataset<Row> explained = GroupedExplanations.explain(joined, schema.fieldNames(), schema, ratings, userVectors,
        itemVectors, predictor, getDamping(), leaveOneOutFor(predictor), getTopK(),
        "drop".equals(getColdStartStrategy()), withOrder, throughArrayFunctions, refitNeighbours);
    return (getKeepInputOrder() ? explained.orderBy(ROW_ORDER) : explained).drop(ROW_ORDER);
  }

  /**
   * The top {@code k} recommendations of every user the model knows, each explained: {@code userCol},
   * {@code itemCol}, {@code rank} (1 = highest prediction), {@link #predictionCol()} and {@link #explanationsCol()}.
   * Items a user rated in training are not recommended to that user (they are known, not recommendations). One job
   * recommends and explains: the recommendations are scored on the executors, against the broadcast item vectors
   * when they fit {@code spark.sql.autoBroadcastJoinThreshold}, else in blocks of users and items with nothing through
   * the driver ({@link FactorizedRecommendations}), kept by a lazy local checkpoint (executor storage) so that each
   * user is scored once, and explained as {@link #transform} explains pairs.
   */
  public Dataset<Row> recommendAndExplain(int k) {
    return recommendAndExplain(null, k);
  }

  /**
   * {@link #recommendAndExplain(int)} for the users in {@code users}' {@code userCol} only (users the model does not
   * know get no rows).
   */
  public Dataset<Row> recommendAndExplain(Dataset<?> users, int k) {
    requireConfigured();
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    Dataset<Row> ids = null;
    if (users != null) {
      SchemaChecks.requireColumnType(users.schema(), getUserCol(), DataTypes.IntegerType, DataTypes.LongType);
      ids = users.toDF().select(col(getUserCol()).as("id"));
    }
    Dataset<Row> ratings = RelatedRatings.validated(trainingRatings, getUserCol(), getItemCol(), getRatingCol());
    // Checkpointed (lazily, on the executors) so the users are scored once: the explainer reads its pairs twice
    // (skew statistics, scoring).
    Dataset<Row> recommendations = FactorizedRecommendations.topK(model, ratings, ids, k, getUserCol(), getItemCol())
        .localCheckpoint(false);
    return transform(recommendations);
  }

  @Override
  public InfluenceExplainer copy(ParamMap extra) {
    InfluenceExplainer copy = new InfluenceExplainer(uid);
    copyValues(copy, extra);
    copy.model = model;
    copy.trainingRatings = trainingRatings;
    return copy;
  }

  @Override
  public MLWriter write() {
    return new ExplainerWriter(this);
  }

  public static MLReader<InfluenceExplainer> read() {
    return new ExplainerReader();
  }

  public static InfluenceExplainer load(String path) {
    return read().load(path);
  }

  /** Params in {@code metadata}, the model class in {@code data/model}, the model in {@code model/}, ratings. */
  static final class ExplainerWriter extends MLWriter {
    private final InfluenceExplainer explainer;

    ExplainerWriter(InfluenceExplainer explainer) {
      this.explainer = explainer;
    }

    @Override
    public void saveImpl(String path) {
      explainer.requireConfigured();
      if (!(explainer.model instanceof MLWritable)) {
        throw new IllegalStateException("the explained model " + explainer.model.getClass().getName()
            + " cannot be saved (it is not MLWritable)");
      }
      PersistenceSupport.saveMetadata(explainer, path, sc());
      try {
        ((MLWritable) explainer.model).write().save(path + "/model");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      StructType schema = new StructType().add("modelClass", DataTypes.StringType, false);
      sparkSession().createDataFrame(List.of(RowFactory.create(explainer.model.getClass().getName())), schema)
          .write().parquet(path + "/data/model");
      java.util.Optional<RatingsSource> source = RatingsSource.of(explainer.trainingRatings);
      if (source.isPresent()) {
        StructType reference = new StructType().add("path", DataTypes.StringType, false)
            .add("version", DataTypes.LongType, false);
        sparkSession().createDataFrame(List.of(RowFactory.create(source.get().path(), source.get().version())),
            reference).write().parquet(path + "/data/ratingsSource");
      } else {
        explainer.trainingRatings.select(explainer.getUserCol(), explainer.getItemCol(), explainer.getRatingCol())
            .write().parquet(path + "/data/ratings");
      }
    }
  }

  /** Reads what {@link ExplainerWriter} wrote. */
  static final class ExplainerReader extends MLReader<InfluenceExplainer> {
    @Override
    public InfluenceExplainer load(String path) {
      DefaultParamsReader.Metadata metadata = PersistenceSupport.loadMetadata(path, sc(), InfluenceExplainer.class);
      InfluenceExplainer explainer = new InfluenceExplainer(metadata.uid());
      PersistenceSupport.restoreParams(metadata, explainer);
      SparkSession spark = sparkSession();
      String modelClass = spark.read().parquet(path + "/data/model").first().getString(0);
      explainer.setModel(loadModel(modelClass, path + "/model"));
      org.apache.hadoop.fs.Path reference = new org.apache.hadoop.fs.Path(path, "data/ratingsSource");
      boolean referenced;
      try {
        referenced = reference.getFileSystem(sc().hadoopConfiguration()).exists(reference);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (referenced) {
        Row source = spark.read().parquet(reference.toString()).first();
        explainer.setTrainingRatings(new RatingsSource(source.getString(0), source.getLong(1)).read(spark));
      } else {
        explainer.setTrainingRatings(spark.read().parquet(path + "/data/ratings"));
      }
      return explainer;
    }

    private static FactorizedModel loadModel(String className, String path) {
      try {
        Object loaded = Class.forName(className).getMethod("load", String.class).invoke(null, path);
        return (FactorizedModel) loaded;
      } catch (InvocationTargetException e) {
        throw new IllegalStateException("loading the explained model " + className + " from " + path + " failed",
            e.getCause());
      } catch (ReflectiveOperationException | ClassCastException e) {
        throw new IllegalStateException("the explained model class " + className + " has no static load(String) "
            + "returning a FactorizedModel", e);
      }
    }
  }
}
