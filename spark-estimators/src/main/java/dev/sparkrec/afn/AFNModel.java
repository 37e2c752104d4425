package dev.sparkrec.afn;

import dev.sparkrec.ml.CtrSchema;
import dev.sparkrec.ml.CtrScorer;
import dev.sparkrec.ml.EmbeddingLayouts;
import dev.sparkrec.ml.EmbeddingModel;
import dev.sparkrec.ml.EmbeddingSupport;
import dev.sparkrec.ml.ParameterTables;
import dev.sparkrec.ml.PersistenceSupport;
import dev.sparkrec.ml.param.ParamRegistry;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.train.TrainingSummary;
import java.util.ArrayList;
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
 * A fitted AFN or AFN+ ({@link AFN}). {@code transform} appends Spark's classifier columns:
 * {@code rawPredictionCol} ({@code [-z, z]}), {@code probabilityCol} ({@code [1 - p, p]}) and
 * {@code predictionCol} ({@code p > threshold}). {@link #crossFeatures(Dataset, int, double, int)} lists the
 * cross features the logarithmic neurons learned, measured on data; {@link #summary} tells how the model was
 * trained.
 *
 * <p>A model trained with another embedding layout than the uniform one ({@link #embeddingLayout()}) holds its
 * tables in that layout (e.g. per block in the searched widths) and is scored, saved and loaded in it.
 */
public final class AFNModel extends Model<AFNModel> implements AfnParams, MLWritable, EmbeddingModel {

  private static final long serialVersionUID = 1L;

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();
  private final AfnConfig config;
  private final Map<String, float[]> parameters;
  private final String[] fieldNames;
  private TrainingSummary summary;

  /** An unfitted model (as Spark's reflection needs); {@link #transform} refuses it. */
  public AFNModel(String uid) {
    this(uid, null, null, null);
  }

  AFNModel(String uid, AfnConfig config, Map<String, float[]> parameters, String[] fieldNames) {
    this.uid = uid;
    AfnParams.setDefaults(this);
    this.config = config;
    this.parameters = parameters;
    this.fieldNames = fieldNames;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public ParamRegistry paramRegistry() {
    return paramRegistry;
  }

  public AFNModel setFeatureIdsCol(String value) {
    set(featureIdsCol(), value);
    return this;
  }

  public AFNModel setFeatureValuesCol(String value) {
    set(featureValuesCol(), value);
    return this;
  }

  public AFNModel setLabelCol(String value) {
    set(labelCol(), value);
    return this;
  }

  public AFNModel setRawPredictionCol(String value) {
    set(rawPredictionCol(), value);
    return this;
  }

  public AFNModel setProbabilityCol(String value) {
    set(probabilityCol(), value);
    return this;
  }

  public AFNModel setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  public AFNModel setThreshold(double value) {
    set(threshold(), value);
    return this;
  }

  private void requireFitted() {
    if (config == null) {
      throw new IllegalStateException("AFNModel " + uid + " holds no trained network; fit an AFN or load a saved "
          + "model.");
    }
  }

  /** The fields, in the order of the ids in each row (FieldEncoder's names when it encoded the data). */
  public String[] fieldNames() {
    requireFitted();
    return fieldNames.clone();
  }

  /** The network's configuration. */
  public AfnConfig config() {
    requireFitted();
    return config;
  }

  /** The trained parameters as the model holds them, not copied: a sharded run's keep their tables in the cluster. */
  Map<String, float[]> heldParameters() {
    return parameters;
  }

  /** Copies of the trained parameters by name, in network order. */
  public Map<String, float[]> parameterValues() {
    requireFitted();
    Map<String, float[]> copy = new LinkedHashMap<>();
    parameters.forEach((name, values) -> copy.put(name, values.clone()));
    return copy;
  }

  /** The layout the embedding tables were trained in (uniform unless fitted with searched dimensions). */
  @Override
  public EmbeddingLayout embeddingLayout() {
    return config().embeddingLayout();
  }

  /**
   * Copies of the embedding tables' parameters by name: {@code afn.embedding} (and {@code dnn.embedding}) under
   * the uniform layout, {@code <table>.block<b>} under mixed dimensions, the table and {@code <table>.alpha} under
   * a soft selection.
   */
  @Override
  public Map<String, float[]> embeddingParameters() {
    return EmbeddingSupport.parameterValues(network());
  }

  /** Stored embedding entries over both tables: {@code Σ_b rows_b·d_b} per mixed-dimension table. */
  @Override
  public long embeddingParameterCount() {
    return EmbeddingSupport.parameterCount(network());
  }

  /** A network holding the trained parameters. */
  private AfnNetwork network() {
    requireFitted();
    AfnNetwork network = new AfnNetwork(config);
    network.setParameters(parameters);
    return network;
  }

  /** True when the model knows how it was trained: it was fitted, or loaded from a save of a fitted model. */
  public boolean hasSummary() {
    return summary != null;
  }

  /**
   * How the model was trained: per-epoch losses and validation metrics, the best epoch and why training
   * stopped. Saved with the model.
   */
  public TrainingSummary summary() {
    if (summary == null) {
      throw new IllegalStateException("AFNModel " + uid + " has no training summary: it was not fitted by AFN, or "
          + "was saved by a version of SparkRec without summaries. Check hasSummary() first.");
    }
    return summary;
  }

  /** Records how the model was trained; returns this. */
  AFNModel setSummary(TrainingSummary value) {
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
    return CtrScorer.transform(dataset, out, AfnNetwork.factory(config), parameters, config.numFields(),
        config.numFeatures(), getFeatureIdsCol(), getFeatureValuesCol(), getThreshold());
  }

  /**
   * {@link #crossFeatures(Dataset, int, double, int)} with the default field share
   * ({@value CrossFeatureRanking#DEFAULT_MIN_FIELD_SHARE}) and row cap ({@value CrossFeatureRanking#DEFAULT_MAX_ROWS}).
   */
  public Dataset<Row> crossFeatures(Dataset<?> dataset, int topNeurons) {
    return crossFeatures(dataset, topNeurons, CrossFeatureRanking.DEFAULT_MIN_FIELD_SHARE,
        CrossFeatureRanking.DEFAULT_MAX_ROWS);
  }

  /**
   * The cross features the logarithmic neurons learned, measured on {@code dataset} (e.g. validation rows, with
   * the {@code featureIdsCol}, optional {@code featureValuesCol} and 0/1 {@code labelCol} columns of this
   * model's params): one row per neuron, the {@code topNeurons} most important first. At most {@code maxRows}
   * rows are measured (a seeded sample when there are more), on the driver; the cost is about {@code logNeurons}
   * forward passes of the layers after the logarithmic layer per row. See {@link CrossFeatureRanking} for the
   * definitions. Columns:
   * <ul>
   *   <li>{@code rank} int: 1 for the most important neuron;</li>
   *   <li>{@code neuron} int: the neuron's index in [0, logNeurons);</li>
   *   <li>{@code importance} double: the increase of the mean log loss over the rows when the neuron's output is
   *       replaced by its mean over them (mean ablation); negative when the neuron hurts on these rows;</li>
   *   <li>{@code fields} array&lt;string&gt;: the fields whose share of the neuron's contribution exceeds
   *       {@code minFieldShare}, largest share first (possibly none, for a neuron whose fields do not vary);</li>
   *   <li>{@code orders} array&lt;double&gt;: each listed field's order, the effective exponent of
   *       {@code y_j = Π_i |e_i|^{w_ij}} with the batch-norm scale folded in;</li>
   *   <li>{@code shares} array&lt;double&gt;: each listed field's share of the neuron's total field contribution
   *       (the field's |order| times the spread of its log-embedding over the rows); they sum to at most 1.</li>
   * </ul>
   *
   * @param topNeurons neurons to return (&ge; 1)
   * @param minFieldShare share a field must exceed to be listed, in [0, 1)
   * @param maxRows rows measured at most (&ge; 1)
   */
  public Dataset<Row> crossFeatures(Dataset<?> dataset, int topNeurons, double minFieldShare, int maxRows) {
    AfnNetwork network = network();
    List<CrossFeature> ranked = CrossFeatureRanking.rank(network,
        CrossFeatureRanking.collectRows(dataset, this, config, maxRows), topNeurons, minFieldShare);
    List<Row> rows = new ArrayList<>();
    int rank = 1;
    for (CrossFeature feature : ranked) {
      int[] fields = feature.fields();
      String[] names = new String[fields.length];
      Double[] orders = new Double[fields.length];
      Double[] shares = new Double[fields.length];
      for (int i = 0; i < fields.length; i++) {
        names[i] = fieldNames[fields[i]];
        orders[i] = feature.orders()[i];
        shares[i] = feature.shares()[i];
      }
      rows.add(RowFactory.create(rank++, feature.neuron(), feature.importance(), names, orders, shares));
    }
    StructType schema = new StructType()
        .add("rank", DataTypes.IntegerType, false)
        .add("neuron", DataTypes.IntegerType, false)
        .add("importance", DataTypes.DoubleType, false)
        .add("fields", DataTypes.createArrayType(DataTypes.StringType, false), false)
        .add("orders", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
        .add("shares", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    return dataset.sparkSession().createDataFrame(rows, schema);
  }

  @Override
  public AFNModel copy(ParamMap extra) {
    AFNModel copied = new AFNModel(uid, config, parameters, fieldNames).setSummary(summary);
    return copyValues(copied, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new AFNModelWriter(this);
  }

  public static MLReader<AFNModel> read() {
    return new AFNModelReader();
  }

  public static AFNModel load(String path) {
    return read().load(path);
  }

  /**
   * Metadata (params) plus {@code data/network} (sizes, field names), {@code data/parameters}
   * ({@link ParameterTables}; the embedding tables in their layout, so a mixed-dimension table saves only its
   * blocks' entries), {@code data/embeddingLayout} ({@link EmbeddingLayouts}) and {@code data/summary}
   * ({@link TrainingSummary}, when the model has one).
   */
  public static final class AFNModelWriter extends MLWriter {
    private final AFNModel model;

    AFNModelWriter(AFNModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      model.requireFitted();
      PersistenceSupport.saveMetadata(model, path, sc());
      AfnConfig c = model.config;
      StructType networkSchema = new StructType()
          .add("numFeatures", DataTypes.IntegerType).add("numFields", DataTypes.IntegerType)
          .add("fieldNames", DataTypes.createArrayType(DataTypes.StringType));
      sparkSession().createDataFrame(List.of(RowFactory.create(c.numFeatures(), c.numFields(), model.fieldNames)),
          networkSchema).write().parquet(path + "/data/network");
      ParameterTables.write(sparkSession(), path + "/data/parameters", model.parameters);
      EmbeddingLayouts.write(sparkSession(), path + "/data/embeddingLayout", c.embeddingLayout());
      if (model.summary != null) {
        model.summary.write(sparkSession(), path + "/data/summary");
      }
    }
  }

  /** Reads what {@link AFNModelWriter} wrote; a model saved without a layout has the uniform one. */
  public static final class AFNModelReader extends MLReader<AFNModel> {
    @Override
    public AFNModel load(String path) {
      DefaultParamsReader.Metadata metadata = PersistenceSupport.loadMetadata(path, sc(), AFNModel.class);
      Row network = sparkSession().read().parquet(path + "/data/network").first();
      int numFeatures = network.getInt(0);
      int numFields = network.getInt(1);
      String[] fieldNames = network.getList(2).toArray(new String[0]);
      AFNModel shell = new AFNModel(metadata.uid());
      PersistenceSupport.restoreParams(metadata, shell);
      EmbeddingLayout layout = EmbeddingLayouts.readIfPresent(sparkSession(), path + "/data/embeddingLayout");
      AfnConfig config = AfnConfig.from(shell, numFeatures, numFields, layout);
      Map<String, float[]> parameters = ParameterTables.read(sparkSession(), path + "/data/parameters",
          AfnNetwork.factory(config));
      AFNModel model = new AFNModel(metadata.uid(), config, parameters, fieldNames)
          .setSummary(TrainingSummary.readIfPresent(sparkSession(), path + "/data/summary"));
      PersistenceSupport.restoreParams(metadata, model);
      return model;
    }
  }
}
