package dev.sparkrec.afn;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.not;

import dev.sparkrec.features.FieldEncodingMetadata;
import dev.sparkrec.ml.CtrIdSpace;
import dev.sparkrec.ml.CtrSchema;
import dev.sparkrec.ml.EmbeddingDimensions;
import dev.sparkrec.ml.EmbeddingEstimator;
import dev.sparkrec.ml.EmbeddingEstimatorPersistence;
import dev.sparkrec.ml.EmbeddingSupport;
import dev.sparkrec.ml.TableVocabulary;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Adaptive Factorization Network (Cheng, Shen and Huang, AAAI 2020) as a Spark ML estimator: a logarithmic
 * transformation layer whose neurons learn cross features of arbitrary, even fractional, order
 * ({@code y_j = exp(Σ_i w_ij ln|e_i|) = Π_i |e_i|^{w_ij}}), followed by an MLP; with {@code ensemble = true},
 * AFN+ adds a DNN branch and learns how to combine the two.
 *
 * <p>Input: {@code featureIdsCol} ({@code array<int>}, one id per field, as {@code FieldEncoder} writes it),
 * optional {@code featureValuesCol}, {@code labelCol} (0/1), optional {@code weightCol} and
 * {@code validationIndicatorCol}. Training runs on SparkRec's distributed trainer with Adam and element-wise
 * gradient clipping, as the reference code does. The fitted {@link AFNModel} writes Spark classifier
 * columns, so {@code BinaryClassificationEvaluator} works unchanged, and keeps how it was trained as its
 * {@link AFNModel#summary()}; {@link #addTrainingListener} follows training epoch by epoch.
 *
 * <p>Embedding seam ({@link EmbeddingEstimator}): the tables are {@code afn.embedding} and, for AFN+,
 * {@code dnn.embedding}, each {@code numFeatures × embeddingDim}, whose rows are the feature ids.
 * {@link #setEmbeddingDimensions} trains every later fit with searched per-block dimensions;
 * {@link #fitWithEmbeddings} fits with any layout, and runs a dimension search on the validation rows.
 */
public final class AFN extends Estimator<AFNModel>
    implements AfnParams, TrainingParams, HasWeightCol, DefaultParamsWritable, EmbeddingEstimator<AFNModel> {

  private static final long serialVersionUID = 1L;

  /** {@code validationMetric} value: validation ROC AUC, higher is better. */
  public static final String AUC = TrainingConfig.AUC;
  /** {@code validationMetric} value: validation log loss, lower is better. */
  public static final String LOGLOSS = TrainingConfig.LOGLOSS;
  /** {@code validationMetric} value: validation AUC minus log loss, higher is better (the reference's rule). */
  public static final String AUC_MINUS_LOGLOSS = TrainingConfig.AUC_MINUS_LOGLOSS;

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();
  private transient TrainingListeners<AFNModel> listeners = new TrainingListeners<>();
  private EmbeddingLayout embeddingLayout = EmbeddingLayout.uniform();

  public AFN() {
    this(Identifiable$.MODULE$.randomUID("afn"));
  }

  public AFN(String uid) {
    this.uid = uid;
    AfnParams.setDefaults(this);
    setDefault(stepSize(), 0.001); // the reference's Adam settings: batch 4096, gradients clipped to ±1
    setDefault(batchSize(), 4096);
    setDefault(maxIter(), 20);
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
            + "minus log loss, the reference code's rule, which keeps AFN+'s ensemble calibrated). "
            + "Default: auc-logloss",
        ParamValidators.inArray(new String[] {AUC, LOGLOSS, AUC_MINUS_LOGLOSS})), AUC_MINUS_LOGLOSS);
  }

  public String getValidationMetric() {
    return getOrDefault(validationMetric());
  }

  /** Every gradient element is clipped to [-gradientClip, gradientClip] before Adam; 0 disables. */
  public DoubleParam gradientClip() {
    return param("gradientClip", o -> new DoubleParam(o, "gradientClip",
        "every gradient element is clipped to [-gradientClip, gradientClip] before Adam, as in the reference; 0 "
            + "disables (>= 0). Default: 1.0", ParamValidators.gtEq(0)), 1.0);
  }

  public double getGradientClip() {
    return (Double) getOrDefault(gradientClip());
  }

  /** L2 weight on the embedding rows each batch uses. */
  public DoubleParam embeddingL2() {
    return param("embeddingL2", o -> new DoubleParam(o, "embeddingL2",
        "L2 weight on the embedding rows each batch uses (>= 0). Default: 0.0", ParamValidators.gtEq(0)), 0.0);
  }

  public double getEmbeddingL2() {
    return (Double) getOrDefault(embeddingL2());
  }

  /** L2 weight on the dense weights; biases, batch-norm scales and shifts and AFN+'s ensemble weights excluded. */
  public DoubleParam l2() {
    return param("l2", o -> new DoubleParam(o, "l2",
        "L2 weight on the dense weights; biases, batch-norm scales and shifts and AFN+'s ensemble weights are "
            + "not penalised (>= 0). Default: 0.0", ParamValidators.gtEq(0)), 0.0);
  }

  public double getL2() {
    return (Double) getOrDefault(l2());
  }

  public AFN setFeatureIdsCol(String value) {
    set(featureIdsCol(), value);
    return this;
  }

  public AFN setFeatureValuesCol(String value) {
    set(featureValuesCol(), value);
    return this;
  }

  public AFN setLabelCol(String value) {
    set(labelCol(), value);
    return this;
  }

  public AFN setWeightCol(String value) {
    set(weightCol(), value);
    return this;
  }

  public AFN setValidationIndicatorCol(String value) {
    set(validationIndicatorCol(), value);
    return this;
  }

  public AFN setRawPredictionCol(String value) {
    set(rawPredictionCol(), value);
    return this;
  }

  public AFN setProbabilityCol(String value) {
    set(probabilityCol(), value);
    return this;
  }

  public AFN setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  public AFN setThreshold(double value) {
    set(threshold(), value);
    return this;
  }

  public AFN setNumFeatures(int value) {
    set(numFeatures(), value);
    return this;
  }

  public AFN setEmbeddingDim(int value) {
    set(embeddingDim(), value);
    return this;
  }

  public AFN setLogNeurons(int value) {
    set(logNeurons(), value);
    return this;
  }

  public AFN setHiddenLayers(int... value) {
    set(hiddenLayers(), value);
    return this;
  }

  public AFN setDropout(double value) {
    set(dropout(), value);
    return this;
  }

  public AFN setBatchNorm(boolean value) {
    set(batchNorm(), value);
    return this;
  }

  public AFN setEnsemble(boolean value) {
    set(ensemble(), value);
    return this;
  }

  public AFN setDnnHiddenLayers(int... value) {
    set(dnnHiddenLayers(), value);
    return this;
  }

  public AFN setDnnDropout(double value) {
    set(dnnDropout(), value);
    return this;
  }

  public AFN setLogEpsilon(double value) {
    set(logEpsilon(), value);
    return this;
  }

  public AFN setStepSize(double value) {
    set(stepSize(), value);
    return this;
  }

  public AFN setBatchSize(int value) {
    set(batchSize(), value);
    return this;
  }

  public AFN setMaxIter(int value) {
    set(maxIter(), value);
    return this;
  }

  public AFN setPatience(int value) {
    set(patience(), value);
    return this;
  }

  public AFN setValidationMetric(String value) {
    set(validationMetric(), value);
    return this;
  }

  public AFN setGradientClip(double value) {
    set(gradientClip(), value);
    return this;
  }

  public AFN setEmbeddingL2(double value) {
    set(embeddingL2(), value);
    return this;
  }

  public AFN setL2(double value) {
    set(l2(), value);
    return this;
  }

  public AFN setSyncEveryBatches(int value) {
    set(syncEveryBatches(), value);
    return this;
  }

  public AFN setEmbeddingSync(String value) {
    set(embeddingSync(), value);
    return this;
  }

  public AFN setSeed(long value) {
    set(seed(), value);
    return this;
  }

  public AFN setNumPartitions(int value) {
    set(numPartitions(), value);
    return this;
  }

  /**
   * Adds a listener called on the driver after every epoch of {@link #fit} with the epoch's report and, on
   * request, the model training would return if it stopped now (e.g. to score a test set per epoch); listeners
   * are copied by {@link #copy} but not saved with the estimator. Returns this.
   */
  public AFN addTrainingListener(TrainingListener<? super AFNModel> listener) {
    listeners().add(listener);
    return this;
  }

  private TrainingListeners<AFNModel> listeners() {
    if (listeners == null) {
      listeners = new TrainingListeners<>();
    }
    return listeners;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    CtrSchema.requireTrainingColumns(schema, this);
    return CtrSchema.appendOutputs(schema, this);
  }

  /**
   * Trains every later fit (and every copy) with searched embedding dimensions, e.g. a NIS result: a table of
   * their layout is stored per block in its searched widths. Not a param: the estimator saves them beside its
   * params, and loading sets them again. Returns this.
   */
  @Override
  public AFN setEmbeddingDimensions(EmbeddingDimensions dimensions) {
    embeddingLayout = Objects.requireNonNull(dimensions, "dimensions must not be null").layout();
    return this;
  }

  @Override
  public EmbeddingLayout embeddingLayout() {
    return embeddingLayout;
  }

  @Override
  public AFNModel fit(Dataset<?> dataset) {
    return fitWithEmbeddings(dataset, embeddingLayout, null);
  }

  /**
   * {@code afn.embedding} (and for AFN+ {@code dnn.embedding}, with the same counts): how often each feature id
   * occurs in {@code featureIdsCol} over the training rows (rows flagged by {@code validationIndicatorCol} are
   * not counted), counted by Spark; the row count is the {@code numFeatures} a fit would use.
   */
  @Override
  public List<TableVocabulary> embeddingVocabularies(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    Dataset<Row> data = dataset.toDF();
    IdSpace ids = idSpace(data);
    Dataset<Row> train = getValidationIndicatorCol().isEmpty() ? data
        : data.where(not(col(getValidationIndicatorCol())));
    long[] counts = new long[ids.numFeatures];
    for (Row row : train.select(explode(col(getFeatureIdsCol())).as("id")).groupBy("id").count().collectAsList()) {
      if (!row.isNullAt(0)) {
        counts[row.getInt(0)] = row.getLong(1); // ids were checked to lie in [0, numFeatures)
      }
    }
    List<TableVocabulary> out = new ArrayList<>();
    for (String table : AfnNetwork.embeddingTableNames(getEnsemble())) {
      out.add(new TableVocabulary(table, getEmbeddingDim(), counts));
    }
    return out;
  }

  /** The id space of a fit: vocabulary size, fields per row and their names. */
  private record IdSpace(int numFeatures, int numFields, String[] fieldNames) {}

  /**
   * One pass over {@code data} for the id range and field count, so bad ids fail here with the column named;
   * {@code numFeatures} is the param when set, else the encoding's, else the largest id + 1.
   */
  private IdSpace idSpace(Dataset<Row> data) {
    CtrIdSpace ids = CtrIdSpace.scan(data, getFeatureIdsCol(), getNumFeatures(), null);
    int numFields = ids.numFields();
    String[] fieldNames = FieldEncodingMetadata.of(data.schema().apply(getFeatureIdsCol()))
        .map(FieldEncodingMetadata::fieldNames).filter(n -> n.length == numFields)
        .orElseGet(() -> CtrSchema.defaultFieldNames(numFields));
    return new IdSpace(ids.numFeatures(), numFields, fieldNames);
  }

  /**
   * Fits with the embedding tables built by {@code layout}; with a {@code search}, the fit is a dimension search
   * whose selection weights step on the rows flagged by {@code validationIndicatorCol}, which must then be set and
   * flag some rows. A layout naming a table AFN does not build, or whose blocks cover another number of rows than
   * {@code numFeatures}, fails before training.
   */
  @Override
  public AFNModel fitWithEmbeddings(Dataset<?> dataset, EmbeddingLayout layout, DimensionSearch search) {
    StructType schema = dataset.schema();
    transformSchema(schema);
    EmbeddingSupport.requireKnownTables(layout, search, AfnNetwork.embeddingTableNames(getEnsemble()),
        "AFN" + (getEnsemble() ? "+" : ""));
    if (search != null && getValidationIndicatorCol().isEmpty()) {
      throw new IllegalArgumentException("A dimension search steps its selection weights on validation rows; set "
          + "validationIndicatorCol to the column flagging them.");
    }
    Dataset<Row> data = dataset.toDF();
    String idsCol = getFeatureIdsCol();
    IdSpace ids = idSpace(data);
    int numFeatures = ids.numFeatures;
    String[] fieldNames = ids.fieldNames;

    AfnConfig config = AfnConfig.from(this, numFeatures, ids.numFields, layout);

    Dataset<Row> train = data;
    Dataset<Row> validation = null;
    if (!getValidationIndicatorCol().isEmpty()) {
      Column indicator = col(getValidationIndicatorCol());
      train = data.where(not(indicator));
      validation = data.where(indicator);
      if (search != null && validation.isEmpty()) {
        throw new IllegalArgumentException("A dimension search steps its selection weights on validation rows, "
            + "but no row is flagged by validationIndicatorCol '" + getValidationIndicatorCol() + "'.");
      }
    }
    TrainingConfig.Builder training = trainingConfig(validation != null)
        .validationMetric(getValidationMetric())
        .gradientTransform(new RegularizeAndClip(getL2(), getEmbeddingL2(), AfnNetwork.UNREGULARIZED_SUFFIXES,
            getGradientClip(), 0));
    if (search != null) {
      training.dimensionSearch(search);
    }
    ExampleColumns columns = new ExampleColumns(idsCol, emptyToNull(getFeatureValuesCol()), getLabelCol(),
        emptyToNull(getWeightCol()));
    Trainer trainer = new Trainer(AfnNetwork.factory(config), training.build());
    listeners().attachTo(trainer, parameters -> newModel(config, parameters, fieldNames, numFeatures));
    TrainingResult result = trainer.fit(train, validation, columns);
    return newModel(config, result.bestParameters(), fieldNames, numFeatures).setSummary(result.summary())
        .setParent(this);
  }

  /** A model with this estimator's params holding {@code parameters}. */
  private AFNModel newModel(AfnConfig config, Map<String, float[]> parameters, String[] fieldNames,
      int numFeatures) {
    AFNModel model = copyValues(new AFNModel(uid, config, parameters, fieldNames), ParamMap.empty());
    model.set(model.numFeatures(), numFeatures); // the model records the id space it was trained on
    return model;
  }

  private static String emptyToNull(String column) {
    return column == null || column.isEmpty() ? null : column;
  }

  /** Keeps the listeners and the embedding dimensions. */
  @Override
  public AFN copy(ParamMap extra) {
    AFN copied = defaultCopy(extra);
    copied.listeners().addAll(listeners());
    copied.embeddingLayout = embeddingLayout;
    return copied;
  }

  /** Saves the params and, when set, the searched embedding dimensions ({@link EmbeddingEstimatorPersistence}). */
  @Override
  public MLWriter write() {
    return EmbeddingEstimatorPersistence.writer(this);
  }

  public static MLReader<AFN> read() {
    return EmbeddingEstimatorPersistence.reader(AFN.class);
  }

  public static AFN load(String path) {
    return read().load(path);
  }
}
