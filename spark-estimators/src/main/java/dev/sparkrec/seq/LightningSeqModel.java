package dev.sparkrec.seq;

import dev.sparkrec.ml.CtrSchema;
import dev.sparkrec.ml.CtrScorer;
import dev.sparkrec.ml.EmbeddingLayouts;
import dev.sparkrec.ml.EmbeddingSupport;
import dev.sparkrec.ml.EmbeddingModel;
import dev.sparkrec.ml.ParameterTables;
import dev.sparkrec.ml.PersistenceSupport;
import dev.sparkrec.ml.SchemaChecks;
import dev.sparkrec.ml.param.ParamRegistry;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.PulledRowsScoring;
import dev.sparkrec.train.TrainedParameters;
import dev.sparkrec.train.TrainingSummary;
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
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted LightningSeq ({@link LightningSeq}). {@code transform} reads the target ids (and values) and the history
 * and appends Spark's classifier columns: {@code rawPredictionCol} ({@code [-z, z]}), {@code probabilityCol}
 * ({@code [1 - p, p]}) and {@code predictionCol} ({@code p > threshold}); a null history, or a target or history id
 * outside the trained vocabulary, fails naming the column and the value. The parameters are broadcast, except that
 * embedding tables a sharded run left in the cluster, above the session's
 * {@code spark.sparkrec.scoring.maxBroadcastTableBytes}, are not: each partition pulls the rows it reads
 * ({@link PulledRowsScoring}). {@link #summary} tells how the model was
 * trained; as an {@link EmbeddingModel} it tells how its embedding table is stored.
 */
public final class LightningSeqModel extends Model<LightningSeqModel> implements LightningSeqParams, MLWritable, EmbeddingModel {

  private static final long serialVersionUID = 1L;

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();
  private final LightningSeqConfig config;
  private final Map<String, float[]> parameters;
  private TrainingSummary summary;

  /** An unfitted model (as Spark's reflection needs); {@link #transform} refuses it. */
  public LightningSeqModel(String uid) {
    this(uid, null, null);
  }

  LightningSeqModel(String uid, LightningSeqConfig config, Map<String, float[]> parameters) {
    this.uid = uid;
    LightningSeqParams.setDefaults(this);
    this.config = config;
    this.parameters = parameters;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public ParamRegistry paramRegistry() {
    return paramRegistry;
  }

  public LightningSeqModel setFeatureIdsCol(String value) {
    set(featureIdsCol(), value);
    return this;
  }

  public LightningSeqModel setFeatureValuesCol(String value) {
    set(featureValuesCol(), value);
    return this;
  }

  public LightningSeqModel setHistoryCol(String value) {
    set(historyCol(), value);
    return this;
  }

  public LightningSeqModel setLabelCol(String value) {
    set(labelCol(), value);
    return this;
  }

  public LightningSeqModel setRawPredictionCol(String value) {
    set(rawPredictionCol(), value);
    return this;
  }

  public LightningSeqModel setProbabilityCol(String value) {
    set(probabilityCol(), value);
    return this;
  }

  public LightningSeqModel setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  public LightningSeqModel setThreshold(double value) {
    set(threshold(), value);
    return this;
  }

  private void requireFitted() {
    if (config == null) {
      throw new IllegalStateException("LightningSeqModel " + uid + " holds no trained network; fit a LightningSeq or load a "
          + "saved model.");
    }
  }

  /** The network's configuration. */
  public LightningSeqConfig config() {
    requireFitted();
    return config;
  }

  /**
   * A new network holding the trained parameters, for scoring batches in Java ({@link LightningSeqNetwork#logits}
   * on a {@link dev.sparkrec.train.Batch#withSequences} batch). A network is single-threaded: take one per thread.
   * Changing its parameters leaves the model unchanged.
   */
  public LightningSeqNetwork network() {
    requireFitted();
    LightningSeqNetwork network = new LightningSeqNetwork(config);
    network.setParameters(parameters);
    return network;
  }

  /** The trained parameters as the model holds them, not copied: a sharded run's keep their tables in the cluster. */
  Map<String, float[]> heldParameters() {
    return parameters;
  }

  /** Copies of the trained parameters by name, in network order (the embedding table, the MLP, the output). */
  public Map<String, float[]> parameterValues() {
    requireFitted();
    Map<String, float[]> copy = new LinkedHashMap<>();
    parameters.forEach((name, values) -> copy.put(name, values.clone()));
    return copy;
  }

  @Override
  public EmbeddingLayout embeddingLayout() {
    requireFitted();
    return config.embeddingLayout();
  }

  /**
   * Copies of the embedding table's parameters by name: {@code seq.embedding} (full table), with
   * {@code seq.embedding.alpha} under a soft selection, or {@code seq.embedding.block<b>} under mixed dimensions.
   */
  @Override
  public Map<String, float[]> embeddingParameters() {
    return EmbeddingSupport.parameterValues(network());
  }

  /** Stored embedding entries, not counting soft-selection weights. */
  @Override
  public long embeddingParameterCount() {
    return EmbeddingSupport.parameterCount(network());
  }

  /** True when the model knows how it was trained: it was fitted, or loaded from a save of a fitted model. */
  public boolean hasSummary() {
    return summary != null;
  }

  /**
   * How the model was trained: per-epoch losses and validation metrics, the best epoch and why training stopped.
   * Saved with the model.
   */
  public TrainingSummary summary() {
    if (summary == null) {
      throw new IllegalStateException("LightningSeqModel " + uid + " has no training summary: it was not fitted by "
          + "LightningSeq. Check hasSummary() first.");
    }
    return summary;
  }

  /** Records how the model was trained; returns this. */
  LightningSeqModel setSummary(TrainingSummary value) {
    this.summary = value;
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    CtrSchema.requireScoringColumns(schema, this);
    SchemaChecks.requireColumnType(schema, getHistoryCol(), DataTypes.createArrayType(DataTypes.IntegerType));
    return CtrSchema.appendOutputs(schema, this);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    requireFitted();
    StructType schema = dataset.schema();
    StructType out = transformSchema(schema);
    String valuesCol = getFeatureValuesCol();
    CtrScorer targets = new CtrScorer(null, config.numFields(), config.numFeatures(), null,
        schema.fieldIndex(getFeatureIdsCol()), valuesCol.isEmpty() ? -1 : schema.fieldIndex(valuesCol),
        getFeatureIdsCol(), valuesCol, getThreshold());
    SparkSession spark = dataset.sparkSession();
    ModelFactory networks = LightningSeqNetwork.factory(config);
    if (PulledRowsScoring.pulls(spark, parameters, networks)) {
      SequenceScorer scorer = new SequenceScorer(config, null, targets, schema.fieldIndex(getHistoryCol()),
          getHistoryCol(), getThreshold());
      return spark.createDataFrame(PulledRowsScoring.score(dataset.toDF().javaRDD(), (TrainedParameters) parameters,
          networks, scorer), out);
    }
    // a plain map: what a broadcast serializes with any serializer (a sharded run's result reads its tables here)
    Broadcast<Map<String, float[]>> broadcast = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .broadcast(new LinkedHashMap<>(parameters));
    SequenceScorer scorer = new SequenceScorer(config, broadcast, targets, schema.fieldIndex(getHistoryCol()),
        getHistoryCol(), getThreshold());
    return dataset.toDF().mapPartitions(scorer, Encoders.row(out));
  }

  @Override
  public LightningSeqModel copy(ParamMap extra) {
    LightningSeqModel copied = new LightningSeqModel(uid, config, parameters).setSummary(summary);
    return copyValues(copied, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new LightningSeqModelWriter(this);
  }

  public static MLReader<LightningSeqModel> read() {
    return new LightningSeqModelReader();
  }

  public static LightningSeqModel load(String path) {
    return read().load(path);
  }

  /**
   * Metadata (params) plus {@code data/network} (numFeatures, numFields), {@code data/embeddingLayout}
   * ({@link EmbeddingLayouts}), {@code data/parameters} ({@link ParameterTables}: the stored tables only, so a
   * mixed-dimension table takes its blocks' size) and {@code data/summary} ({@link TrainingSummary}, when the model
   * has one).
   */
  public static final class LightningSeqModelWriter extends MLWriter {
    private final LightningSeqModel model;

    LightningSeqModelWriter(LightningSeqModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      model.requireFitted();
      PersistenceSupport.saveMetadata(model, path, sc());
      LightningSeqConfig c = model.config;
      StructType networkSchema = new StructType()
          .add("numFeatures", DataTypes.IntegerType).add("numFields", DataTypes.IntegerType);
      sparkSession().createDataFrame(List.of(RowFactory.create(c.numFeatures(), c.numFields())), networkSchema)
          .write().parquet(path + "/data/network");
      EmbeddingLayouts.write(sparkSession(), path + "/data/embeddingLayout", c.embeddingLayout());
      ParameterTables.write(sparkSession(), path + "/data/parameters", model.parameters);
      if (model.summary != null) {
        model.summary.write(sparkSession(), path + "/data/summary");
      }
    }
  }

  /** Reads what {@link LightningSeqModelWriter} wrote. */
  public static final class LightningSeqModelReader extends MLReader<LightningSeqModel> {
    @Override
    public LightningSeqModel load(String path) {
      DefaultParamsReader.Metadata metadata = PersistenceSupport.loadMetadata(path, sc(), LightningSeqModel.class);
      Row network = sparkSession().read().parquet(path + "/data/network").first();
      EmbeddingLayout layout = EmbeddingLayouts.read(sparkSession(), path + "/data/embeddingLayout");
      LightningSeqModel shell = new LightningSeqModel(metadata.uid());
      PersistenceSupport.restoreParams(metadata, shell);
      LightningSeqConfig config = LightningSeqConfig.from(shell, network.getInt(0), network.getInt(1))
          .withEmbeddingLayout(layout);
      Map<String, float[]> parameters = ParameterTables.read(sparkSession(), path + "/data/parameters",
          LightningSeqNetwork.factory(config));
      LightningSeqModel model = new LightningSeqModel(metadata.uid(), config, parameters)
          .setSummary(TrainingSummary.readIfPresent(sparkSession(), path + "/data/summary"));
      PersistenceSupport.restoreParams(metadata, model);
      return model;
    }
  }
}
