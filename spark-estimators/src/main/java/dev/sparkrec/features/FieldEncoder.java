package dev.sparkrec.features;

import dev.sparkrec.ml.param.ParamRegistry;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * Learns, from raw tabular fields, the global feature-id space every SparkRec CTR model reads: one id per
 * field per row, plus a float value per field.
 *
 * <p>Categorical fields (string, int, long, boolean) get one id per value with at least {@code minCount}
 * occurrences, at most {@code maxCategoriesPerField} of them (the most frequent; ties by value). Numeric
 * fields (float, double) are either cut into {@code numBuckets} exact quantile buckets (numericMode
 * "bucketize") or get a single id carrying the min-max scaled value (numericMode "value"). Every field
 * also has an OOV id, its first id. The id layout is described in the package documentation.
 *
 * <p>Fitting reads the data twice at most (numeric splits or bounds, then value counts) with DataFrame
 * aggregations; only the bounded vocabulary reaches the driver. Fitting on a DataFrame without rows fails.
 * A field that is missing in every row learns only its OOV id (categorical), one bucket no training row fell
 * into (bucketize), or bounds {@code [0, 0]} (value).
 */
public final class FieldEncoder extends Estimator<FieldEncoderModel>
    implements FieldEncoderParams, DefaultParamsWritable {

  private static final long serialVersionUID = 1L;

  /** {@code numericMode} value: quantile buckets, one id each, feature value 1.0. */
  public static final String BUCKETIZE = "bucketize";
  /** {@code numericMode} value: one id per field carrying the min-max scaled value. */
  public static final String VALUE = "value";

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();

  public FieldEncoder() {
    this(Identifiable$.MODULE$.randomUID("fieldEncoder"));
  }

  public FieldEncoder(String uid) {
    this.uid = uid;
    FieldEncoderParams.setDefaults(this);
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public ParamRegistry paramRegistry() {
    return paramRegistry;
  }

  /** How float and double fields are encoded: "bucketize" or "value". Default: bucketize. */
  public Param<String> numericMode() {
    return param("numericMode", o -> new Param<>(o, "numericMode",
        "how float and double fields are encoded: 'bucketize' (exact quantile buckets, one id each, value 1.0) "
            + "or 'value' (one id carrying the value min-max scaled to [0, 1] with the fitted bounds, clipped). "
            + "Default: bucketize",
        ParamValidators.inArray(new String[] {BUCKETIZE, VALUE})), BUCKETIZE);
  }

  /** Number of quantile buckets per numeric field in bucketize mode (>= 2). Default: 10. */
  public IntParam numBuckets() {
    return param("numBuckets", o -> new IntParam(o, "numBuckets",
        "number of quantile buckets per numeric field in bucketize mode (>= 2; fewer when quantiles "
            + "coincide). Default: 10",
        ParamValidators.gtEq(2)), 10);
  }

  /** Smallest training count a categorical value needs to get its own id (>= 1). Default: 1. */
  public IntParam minCount() {
    return param("minCount", o -> new IntParam(o, "minCount",
        "smallest training count a categorical value needs to get its own id; rarer values map to the "
            + "field's OOV id (>= 1). Default: 1",
        ParamValidators.gtEq(1)), 1);
  }

  /** Most values a categorical field keeps, most frequent first (>= 1). Default: 1000000. */
  public IntParam maxCategoriesPerField() {
    return param("maxCategoriesPerField", o -> new IntParam(o, "maxCategoriesPerField",
        "most values a categorical field keeps, the most frequent first (ties by value); the rest map to the "
            + "field's OOV id (>= 1). Default: 1000000",
        ParamValidators.gtEq(1)), 1_000_000);
  }

  public String getNumericMode() {
    return getOrDefault(numericMode());
  }

  public int getNumBuckets() {
    return (Integer) getOrDefault(numBuckets());
  }

  public int getMinCount() {
    return (Integer) getOrDefault(minCount());
  }

  public int getMaxCategoriesPerField() {
    return (Integer) getOrDefault(maxCategoriesPerField());
  }

  public FieldEncoder setInputCols(String... value) {
    set(inputCols(), value);
    return this;
  }

  public FieldEncoder setHandleInvalid(String value) {
    set(handleInvalid(), value);
    return this;
  }

  public FieldEncoder setFeatureIdsCol(String value) {
    set(featureIdsCol(), value);
    return this;
  }

  public FieldEncoder setFeatureValuesCol(String value) {
    set(featureValuesCol(), value);
    return this;
  }

  /** Array columns of earlier values of a field, each encoded with the vocabulary of its sequenceFields entry. */
  public FieldEncoder setSequenceCols(String... value) {
    set(sequenceCols(), value);
    return this;
  }

  /** For each of sequenceCols, the column of inputCols whose vocabulary encodes its elements. */
  public FieldEncoder setSequenceFields(String... value) {
    set(sequenceFields(), value);
    return this;
  }

  /** For each of sequenceCols, its {@code array<int>} output column (default: the column's name + "Ids"). */
  public FieldEncoder setSequenceOutputCols(String... value) {
    set(sequenceOutputCols(), value);
    return this;
  }

  public FieldEncoder setNumericMode(String value) {
    set(numericMode(), value);
    return this;
  }

  public FieldEncoder setNumBuckets(int value) {
    set(numBuckets(), value);
    return this;
  }

  public FieldEncoder setMinCount(int value) {
    set(minCount(), value);
    return this;
  }

  public FieldEncoder setMaxCategoriesPerField(int value) {
    set(maxCategoriesPerField(), value);
    return this;
  }

  @Override
  public FieldEncoderModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    String[] columns = getInputCols();
    FieldEncoding[] encodings = encodings(dataset.schema());
    FieldVocabulary[] fields = VocabularyBuilder.build(dataset.toDF(), columns, encodings, getNumBuckets(),
        getMinCount(), getMaxCategoriesPerField());
    FieldEncoderModel model = new FieldEncoderModel(uid, fields);
    return copyValues(model, ParamMap.empty()).setParent(this);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    encodings(schema);
    return FieldEncoderSchema.appendSequences(
        FieldEncoderSchema.appendOutputs(schema, getFeatureIdsCol(), getFeatureValuesCol()), getInputCols(),
        getSequenceCols(), getSequenceFields(), sequenceOutputs());
  }

  private FieldEncoding[] encodings(StructType schema) {
    if (!isDefined(inputCols())) {
      throw new IllegalArgumentException("FieldEncoder needs inputCols: call setInputCols with the columns "
          + "to encode.");
    }
    FieldEncoding numeric = BUCKETIZE.equals(getNumericMode()) ? FieldEncoding.BUCKETIZED : FieldEncoding.VALUE;
    return FieldEncoderSchema.encodings(schema, getInputCols(), numeric);
  }

  @Override
  public FieldEncoder copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<FieldEncoder> read() {
    return new DefaultParamsReader<>();
  }

  public static FieldEncoder load(String path) {
    return read().load(path);
  }
}
