package dev.sparkrec.deepfm;

import dev.sparkrec.ml.CtrSchema;
import dev.sparkrec.ml.CtrScorer;
import dev.sparkrec.ml.EmbeddingLayouts;
import dev.sparkrec.ml.EmbeddingSupport;
import dev.sparkrec.ml.EmbeddingModel;
import dev.sparkrec.ml.ParameterTables;
import dev.sparkrec.ml.PersistenceSupport;
import dev.sparkrec.ml.param.ParamRegistry;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.train.TrainingSummary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted DeepFM ({@link DeepFM}). {@code transform} appends Spark's classifier columns: {@code rawPredictionCol}
 * ({@code [-z, z]}), {@code probabilityCol} ({@code [1 - p, p]}) and {@code predictionCol} ({@code p > threshold});
 * a feature id outside the trained vocabulary fails naming the column and the id. {@link #summary} tells how the
 * model was trained; as an {@link EmbeddingModel} it tells how its embedding table is stored. {@link #network()}
 * gives the trained network for scoring and encoding batches in Java, as RESUS's base predictor does.
 */
public final class DeepFMModel extends Model<DeepFMModel> implements DeepFmParams, MLWritable, EmbeddingModel {

  private static final long serialVersionUID = 1L;

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();
  private final DeepFmConfig config;
  private final Map<String, float[]> parameters;
  private TrainingSummary summary;

  /** An unfitted model (as Spark's reflection needs); {@link #transform} refuses it. */
  public DeepFMModel(String uid) {
    this(uid, null, null);
  }

  DeepFMModel(String uid, DeepFmConfig config, Map<String, float[]> parameters) {
    this.uid = uid;
    DeepFmParams.setDefaults(this);
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

  public DeepFMModel setFeatureIdsCol(String value) {
    set(featureIdsCol(), value);
    return this;
  }

  public DeepFMModel setFeatureValuesCol(String value) {
    set(featureValuesCol(), value);
    return this;
  }

  public DeepFMModel setLabelCol(String value) {
    set(labelCol(), value);
    return this;
  }

  public DeepFMModel setRawPredictionCol(String value) {
    set(rawPredictionCol(), value);
    return this;
  }

  public DeepFMModel setProbabilityCol(String value) {
    set(probabilityCol(), value);
    return this;
  }

  public DeepFMModel setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  public DeepFMModel setThreshold(double value) {
    set(threshold(), value);
    return this;
  }

  private void requireFitted() {
    if (config == null) {
      throw new IllegalStateException("DeepFMModel " + uid + " holds no trained network; fit a DeepFM or load a "
          + "saved model.");
    }
  }

  /** The network's configuration. */
  public DeepFmConfig config() {
    requireFitted();
    return config;
  }

  /**
   * A new network holding the trained parameters, for scoring rows in Java: {@link DeepFmNetwork#logits} gives their
   * logits, {@link DeepFmNetwork#encode} their encodings {@code h} ({@link DeepFmNetwork#encoderDim()} wide), e.g.
   * for {@code n} rows of ids (and values, or null) held in arrays,
   * <pre>{@code
   *   DeepFmNetwork net = model.network();
   *   Batch rows = Batch.of(net.config().numFields(), ids, values, new float[n], null); // labels unused
   *   Tape tape = new Tape().training(false);
   *   float[] logits = new float[n];
   *   net.logits(tape, rows, logits);
   *   float[] h = net.encode(tape, rows).toArray(); // n × encoderDim, row-major
   * }</pre>
   * Ids must lie in {@code [0, numFeatures)}. A network is single-threaded: take one per thread. Changing its
   * parameters leaves the model unchanged.
   */
  public DeepFmNetwork network() {
    requireFitted();
    DeepFmNetwork network = new DeepFmNetwork(config);
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
   * Copies of the embedding table's parameters by name: {@code deepfm.embedding} (full table), with
   * {@code deepfm.embedding.alpha} under a soft selection, or {@code deepfm.embedding.block<b>} under mixed
   * dimensions.
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
      throw new IllegalStateException("DeepFMModel " + uid + " has no training summary: it was not fitted by "
          + "DeepFM. Check hasSummary() first.");
    }
    return summary;
  }

  /** Records how the model was trained; returns this. */
  DeepFMModel setSummary(TrainingSummary value) {
    this.summary = value;
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    CtrSchema.requireScoringColumns(schema, this);
    return CtrSchema.appendOutputs(schema, this);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    requireFitted();
    StructType out = transformSchema(dataset.schema());
    return CtrScorer.transform(dataset, out, DeepFmNetwork.factory(config), parameters, config.numFields(),
        config.numFeatures(), getFeatureIdsCol(), getFeatureValuesCol(), getThreshold());
  }

  @Override
  public DeepFMModel copy(ParamMap extra) {
    DeepFMModel copied = new DeepFMModel(uid, config, parameters).setSummary(summary);
    return copyValues(copied, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new DeepFMModelWriter(this);
  }

  public static MLReader<DeepFMModel> read() {
    return new DeepFMModelReader();
  }

  public static DeepFMModel load(String path) {
    return read().load(path);
  }

  /**
   * Metadata (params) plus {@code data/network} (numFeatures, numFields), {@code data/embeddingLayout}
   * ({@link EmbeddingLayouts}), {@code data/parameters} ({@link ParameterTables}: the stored tables only, so a
   * mixed-dimension table takes its blocks' size) and {@code data/summary} ({@link TrainingSummary}, when the model
   * has one).
   */
  public static final class DeepFMModelWriter extends MLWriter {
    private final DeepFMModel model;

    DeepFMModelWriter(DeepFMModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      model.requireFitted();
      PersistenceSupport.saveMetadata(model, path, sc());
      DeepFmConfig c = model.config;
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

  /** Reads what {@link DeepFMModelWriter} wrote. */
  public static final class DeepFMModelReader extends MLReader<DeepFMModel> {
    @Override
    public DeepFMModel load(String path) {
      DefaultParamsReader.Metadata metadata = PersistenceSupport.loadMetadata(path, sc(), DeepFMModel.class);
      Row network = sparkSession().read().parquet(path + "/data/network").first();
      EmbeddingLayout layout = EmbeddingLayouts.read(sparkSession(), path + "/data/embeddingLayout");
      DeepFMModel shell = new DeepFMModel(metadata.uid());
      PersistenceSupport.restoreParams(metadata, shell);
      DeepFmConfig config = DeepFmConfig.from(shell, network.getInt(0), network.getInt(1))
          .withEmbeddingLayout(layout);
      Map<String, float[]> parameters = ParameterTables.read(sparkSession(), path + "/data/parameters",
          DeepFmNetwork.factory(config));
      DeepFMModel model = new DeepFMModel(metadata.uid(), config, parameters)
          .setSummary(TrainingSummary.readIfPresent(sparkSession(), path + "/data/summary"));
      PersistenceSupport.restoreParams(metadata, model);
      return model;
    }
  }
}
