package dev.sparkrec.fm;

import dev.sparkrec.ml.CtrSchema;
import dev.sparkrec.ml.CtrScorer;
import dev.sparkrec.ml.EmbeddingLayouts;
import dev.sparkrec.ml.EmbeddingModel;
import dev.sparkrec.ml.ParameterTables;
import dev.sparkrec.ml.PersistenceSupport;
import dev.sparkrec.ml.param.ParamRegistry;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.nn.embedding.SoftSelectionEmbedding;
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
 * A fitted factorization machine ({@link FactorizationMachine}). {@code transform} appends Spark's classifier
 * columns: {@code rawPredictionCol} ({@code [-z, z]}), {@code probabilityCol} ({@code [1 - p, p]}) and
 * {@code predictionCol} ({@code p > threshold}); a feature id outside the trained vocabulary fails naming the column
 * and the id. {@link #summary} tells how the model was trained; as an {@link EmbeddingModel} it tells how its
 * embedding table is stored.
 */
public final class FactorizationMachineModel extends Model<FactorizationMachineModel>
    implements FmParams, MLWritable, EmbeddingModel {

  private static final long serialVersionUID = 1L;

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();
  private final FmConfig config;
  private final Map<String, float[]> parameters;
  private TrainingSummary summary;

  /** An unfitted model (as Spark's reflection needs); {@link #transform} refuses it. */
  public FactorizationMachineModel(String uid) {
    this(uid, null, null);
  }

  FactorizationMachineModel(String uid, FmConfig config, Map<String, float[]> parameters) {
    this.uid = uid;
    FmParams.setDefaults(this);
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

  public FactorizationMachineModel setFeatureIdsCol(String value) {
    set(featureIdsCol(), value);
    return this;
  }

  public FactorizationMachineModel setFeatureValuesCol(String value) {
    set(featureValuesCol(), value);
    return this;
  }

  public FactorizationMachineModel setLabelCol(String value) {
    set(labelCol(), value);
    return this;
  }

  public FactorizationMachineModel setRawPredictionCol(String value) {
    set(rawPredictionCol(), value);
    return this;
  }

  public FactorizationMachineModel setProbabilityCol(String value) {
    set(probabilityCol(), value);
    return this;
  }

  public FactorizationMachineModel setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  public FactorizationMachineModel setThreshold(double value) {
    set(threshold(), value);
    return this;
  }

  private void requireFitted() {
    if (config == null) {
      throw new IllegalStateException("FactorizationMachineModel " + uid + " holds no trained network; fit a "
          + "FactorizationMachine or load a saved model.");
    }
  }

  /** The network's configuration. */
  public FmConfig config() {
    requireFitted();
    return config;
  }

  /** Copies of the trained parameters by name, in network order ({@code fm.bias}, {@code fm.linear}, the table). */
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
   * Copies of the embedding table's parameters by name: {@code fm.embedding} (full table), with
   * {@code fm.embedding.alpha} under a soft selection, or {@code fm.embedding.block<b>} under mixed dimensions.
   */
  @Override
  public Map<String, float[]> embeddingParameters() {
    requireFitted();
    Map<String, float[]> copy = new LinkedHashMap<>();
    parameters.forEach((name, values) -> {
      if (FmNetwork.isEmbeddingParameter(name)) {
        copy.put(name, values.clone());
      }
    });
    return copy;
  }

  /** Stored embedding entries, not counting soft-selection weights. */
  @Override
  public long embeddingParameterCount() {
    requireFitted();
    String alpha = SoftSelectionEmbedding.alphaName(FmNetwork.EMBEDDING);
    long count = 0;
    for (Map.Entry<String, float[]> entry : parameters.entrySet()) {
      if (FmNetwork.isEmbeddingParameter(entry.getKey()) && !entry.getKey().equals(alpha)) {
        count += entry.getValue().length;
      }
    }
    return count;
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
      throw new IllegalStateException("FactorizationMachineModel " + uid + " has no training summary: it was not "
          + "fitted by FactorizationMachine. Check hasSummary() first.");
    }
    return summary;
  }

  /** Records how the model was trained; returns this. */
  FactorizationMachineModel setSummary(TrainingSummary value) {
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
    return CtrScorer.transform(dataset, out, FmNetwork.factory(config), parameters, config.numFields(),
        config.numFeatures(), getFeatureIdsCol(), getFeatureValuesCol(), getThreshold());
  }

  @Override
  public FactorizationMachineModel copy(ParamMap extra) {
    FactorizationMachineModel copied = new FactorizationMachineModel(uid, config, parameters).setSummary(summary);
    return copyValues(copied, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new FactorizationMachineModelWriter(this);
  }

  public static MLReader<FactorizationMachineModel> read() {
    return new FactorizationMachineModelReader();
  }

  public static FactorizationMachineModel load(String path) {
    return read().load(path);
  }

  /**
   * Metadata (params) plus {@code data/network} (numFeatures, numFields), {@code data/embeddingLayout}
   * ({@link EmbeddingLayouts}), {@code data/parameters} ({@link ParameterTables}: the stored tables only, so a
   * mixed-dimension table takes its blocks' size) and {@code data/summary} ({@link TrainingSummary}, when the model
   * has one).
   */
  public static final class FactorizationMachineModelWriter extends MLWriter {
    private final FactorizationMachineModel model;

    FactorizationMachineModelWriter(FactorizationMachineModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      model.requireFitted();
      PersistenceSupport.saveMetadata(model, path, sc());
      FmConfig c = model.config;
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

  /** Reads what {@link FactorizationMachineModelWriter} wrote. */
  public static final class FactorizationMachineModelReader extends MLReader<FactorizationMachineModel> {
    @Override
    public FactorizationMachineModel load(String path) {
      DefaultParamsReader.Metadata metadata = PersistenceSupport.loadMetadata(path, sc(),
          FactorizationMachineModel.class);
      Row network = sparkSession().read().parquet(path + "/data/network").first();
      EmbeddingLayout layout = EmbeddingLayouts.read(sparkSession(), path + "/data/embeddingLayout");
      FactorizationMachineModel shell = new FactorizationMachineModel(metadata.uid());
      PersistenceSupport.restoreParams(metadata, shell);
      FmConfig config = FmConfig.from(shell, network.getInt(0), network.getInt(1)).withEmbeddingLayout(layout);
      Map<String, float[]> parameters = ParameterTables.read(sparkSession(), path + "/data/parameters",
          FmNetwork.factory(config));
      FactorizationMachineModel model = new FactorizationMachineModel(metadata.uid(), config, parameters)
          .setSummary(TrainingSummary.readIfPresent(sparkSession(), path + "/data/summary"));
      PersistenceSupport.restoreParams(metadata, model);
      return model;
    }
  }
}
