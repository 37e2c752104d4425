package dev.sparkrec.features;

import dev.sparkrec.ml.param.ParamRegistry;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.udf;

import dev.sparkrec.ml.PersistenceSupport;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Encodes raw tabular fields into one global feature id and one float value per field, with the vocabulary
 * a {@link FieldEncoder} learned.
 *
 * <p>Output: {@code featureIdsCol} (array&lt;int&gt;, one id per field in inputCols order, field f's id in
 * {@code [fieldOffsets()[f], fieldOffsets()[f] + fieldSizes()[f])}) and {@code featureValuesCol}
 * (array&lt;float&gt;: 1.0, or for a value-mode field its value min-max scaled with the fitted bounds and
 * clipped to [0, 1]). Nulls, NaNs and unseen values follow {@code handleInvalid}; values seen at fit but
 * too rare to enter the vocabulary map to the field's OOV id (its first id) whatever handleInvalid says.
 * The vocabulary is broadcast and each row is encoded in one pass.
 */
public final class FieldEncoderModel extends Model<FieldEncoderModel> implements FieldEncoderParams, MLWritable {

  private static final long serialVersionUID = 1L;

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();
  private final FieldVocabulary[] fields;

  /** A model with no fields, for reflection-based Spark utilities; obtain real ones from fit or load. */
  public FieldEncoderModel(String uid) {
    this(uid, new FieldVocabulary[0]);
  }

  FieldEncoderModel(String uid, FieldVocabulary[] fields) {
    this.uid = uid;
    FieldEncoderParams.setDefaults(this);
    this.fields = fields;

  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public ParamRegistry paramRegistry() {
    return paramRegistry;
  }

  /** Sets the input columns: one per fitted field, in order, of a type compatible with that field. */
  public FieldEncoderModel setInputCols(String... value) {
    set(inputCols(), value);
    return this;
  }

  public FieldEncoderModel setHandleInvalid(String value) {
    set(handleInvalid(), value);
    return this;
  }

  public FieldEncoderModel setFeatureIdsCol(String value) {
    set(featureIdsCol(), value);
    return this;
  }

  public FieldEncoderModel setSequenceCols(String... value) {
    set(sequenceCols(), value);
    return this;
  }

  public FieldEncoderModel setSequenceFields(String... value) {
    set(sequenceFields(), value);
    return this;
  }

  public FieldEncoderModel setSequenceOutputCols(String... value) {
    set(sequenceOutputCols(), value);
    return this;
  }

  public FieldEncoderModel setFeatureValuesCol(String value) {
    set(featureValuesCol(), value);
    return this;
  }

  /** Total number of feature ids: the ids are {@code 0 .. numFeatures() - 1}. */
  public int numFeatures() {
    return fields.length == 0 ? 0 : fields[fields.length - 1].offset + fields[fields.length - 1].size();
  }

  /** The first id of each field (which is that field's OOV id), in field order. */
  public int[] fieldOffsets() {
    int[] offsets = new int[fields.length];
    for (int f = 0; f < fields.length; f++) {
      offsets[f] = fields[f].offset;
    }
    return offsets;
  }

  /** The number of ids of each field, its OOV id included, in field order. */
  public int[] fieldSizes() {
    int[] sizes = new int[fields.length];
    for (int f = 0; f < fields.length; f++) {
      sizes[f] = fields[f].size();
    }
    return sizes;
  }

  /** The input columns the model was fitted on, in field order. */
  public String[] fieldNames() {
    String[] names = new String[fields.length];
    for (int f = 0; f < fields.length; f++) {
      names[f] = fields[f].name;
    }
    return names;
  }

  /** How each field is encoded, in field order. */
  public FieldEncoding[] fieldEncodings() {
    FieldEncoding[] encodings = new FieldEncoding[fields.length];
    for (int f = 0; f < fields.length; f++) {
      encodings[f] = fields[f].encoding;
    }
    return encodings;
  }

  /**
   * Training count per feature id (length {@link #numFeatures()}); an OOV id counts the training rows mapped
   * to it (missing values, rare values and values beyond maxCategoriesPerField).
   */
  public long[] featureFrequencies() {
    long[] frequencies = new long[numFeatures()];
    for (FieldVocabulary field : fields) {
      System.arraycopy(field.counts, 0, frequencies, field.offset, field.size());
    }
    return frequencies;
  }

  /** The OOV id of field {@code field} (0-based position in fieldNames()), which is its first id. */
  public int oovId(int field) {
    return fieldAt(field).offset;
  }

  /** The OOV id of the field fitted on column {@code field}. */
  public int oovId(String field) {
    return fieldNamed(field).offset;
  }

  /**
   * The ids of one field as a DataFrame {@code (value: string, id: int, count: long)} in id order: the OOV id
   * first (null value, count of training rows mapped to it), then the categories, the bucket intervals
   * {@code "[lo, hi)"} or, for a value-mode field, its fitted range {@code "[min, max]"}.
   */
  public Dataset<Row> vocabulary(String field) {
    StructType schema = new StructType()
        .add("value", DataTypes.StringType, true)
        .add("id", DataTypes.IntegerType, false)
        .add("count", DataTypes.LongType, false);
    return SparkSession.active().createDataFrame(fieldNamed(field).entries(), schema);
  }

  /** The bucket splits of a bucketized field, from -Infinity to +Infinity; bucket b is [splits[b], splits[b+1]). */
  public double[] bucketSplits(String field) {
    FieldVocabulary vocabulary = fieldNamed(field);
    requireEncoding(vocabulary, FieldEncoding.BUCKETIZED);
    return vocabulary.splits.clone();
  }

  /** The {min, max} a value-mode field is scaled with: the finite extremes seen at fit ({0, 0} if none). */
  public double[] valueBounds(String field) {
    FieldVocabulary vocabulary = fieldNamed(field);
    requireEncoding(vocabulary, FieldEncoding.VALUE);
    return new double[] {vocabulary.min, vocabulary.max};
  }

  @Override
  public StructType transformSchema(StructType schema) {
    requireFitted();
    String[] columns = isDefined(inputCols()) ? getInputCols() : fieldNames();
    FieldEncoderSchema.requireCompatible(schema, columns, fieldEncodings());
    StructType out = FieldEncoderSchema.appendOutputs(schema, getFeatureIdsCol(), getFeatureValuesCol());
    StructField[] fieldsOut = out.fields().clone();
    int ids = out.fieldIndex(getFeatureIdsCol());
    StructField plain = fieldsOut[ids];
    fieldsOut[ids] = new StructField(plain.name(), plain.dataType(), plain.nullable(),
        encodingMetadata().toMetadata(plain.metadata()));
    return FieldEncoderSchema.appendSequences(new StructType(fieldsOut), columns, getSequenceCols(),
        getSequenceFields(), sequenceOutputs());
  }

  /** The id layout as the metadata this model attaches to its feature-ids column. */
  public FieldEncodingMetadata encodingMetadata() {
    requireFitted();
    return new FieldEncodingMetadata(numFeatures(), fieldNames(), fieldOffsets());
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    String[] columns = isDefined(inputCols()) ? getInputCols() : fieldNames();
    Broadcast<FieldVocabulary[]> broadcast =
        JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext()).broadcast(fields);
    StructType codesType = new StructType()
        .add("ids", FieldEncoderSchema.FEATURE_IDS_TYPE, false)
        .add("values", FieldEncoderSchema.FEATURE_VALUES_TYPE, false);
    // Non-deterministic only so that the optimizer neither copies the call into the skip filter nor into
    // both output columns: each row is encoded exactly once.
    UserDefinedFunction encode = udf(new EncodeFieldsFunction(broadcast, columns, getHandleInvalid()), codesType)
        .asNondeterministic();
    boolean skip = SKIP_INVALID.equals(getHandleInvalid());
    if (!skip) {
      encode = encode.asNonNullable();
    }
    Column[] inputs = new Column[columns.length];
    for (int f = 0; f < columns.length; f++) {
      inputs[f] = dataset.col(columns[f]);
    }
    String codes = "__" + uid + "_codes";
    Dataset<Row> encoded = dataset.toDF().withColumn(codes, encode.apply(struct(inputs)));
    if (skip) {
      encoded = encoded.where(col(codes).isNotNull());
    }
    encoded = encoded
        .withColumn(getFeatureIdsCol(), col(codes).getField("ids"), encodingMetadata().toMetadata(Metadata.empty()))
        .withColumn(getFeatureValuesCol(), col(codes).getField("values"))
        .drop(codes);
    String[] sequences = getSequenceCols();
    String[] outputs = sequenceOutputs();
    for (int i = 0; i < sequences.length; i++) {
      int field = java.util.Arrays.asList(columns).indexOf(getSequenceFields()[i]);
      UserDefinedFunction encodeSequence = udf(new EncodeSequenceFunction(broadcast, field, sequences[i],
          getHandleInvalid()), FieldEncoderSchema.FEATURE_IDS_TYPE).asNondeterministic();
      encoded = encoded.withColumn(outputs[i], (skip ? encodeSequence : encodeSequence.asNonNullable())
          .apply(col(sequences[i])));
      if (skip) {
        encoded = encoded.where(col(outputs[i]).isNotNull());
      }
    }
    return encoded;
  }

  @Override
  public FieldEncoderModel copy(ParamMap extra) {
    FieldEncoderModel copied = new FieldEncoderModel(uid, fields);
    return copyValues(copied, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new FieldEncoderModelWriter(this);
  }

  public static MLReader<FieldEncoderModel> read() {
    return new FieldEncoderModelReader();
  }

  public static FieldEncoderModel load(String path) {
    return read().load(path);
  }

  @Override
  public String toString() {
    return "FieldEncoderModel: uid=" + uid + ", fields=" + fields.length + ", numFeatures=" + numFeatures();
  }

  private void requireFitted() {
    if (fields.length == 0) {
      throw new IllegalStateException("FieldEncoderModel " + uid + " has no fitted fields; obtain a model from "
          + "FieldEncoder.fit or FieldEncoderModel.load.");
    }
  }

  private FieldVocabulary fieldAt(int field) {
    if (field < 0 || field >= fields.length) {
      throw new IllegalArgumentException("Field index " + field + " is out of range: the model has "
          + fields.length + " fields.");
    }
    return fields[field];
  }

  private FieldVocabulary fieldNamed(String field) {
    for (FieldVocabulary vocabulary : fields) {
      if (vocabulary.name.equals(field)) {
        return vocabulary;
      }
    }
    throw new IllegalArgumentException("Field '" + field + "' is not one the model was fitted on: "
        + String.join(", ", fieldNames()) + ".");
  }

  private static void requireEncoding(FieldVocabulary field, FieldEncoding expected) {
    if (field.encoding != expected) {
      throw new IllegalArgumentException("Field '" + field.name + "' is encoded as " + field.encoding.label()
          + ", not " + expected.label() + ".");
    }
  }

  /** Writes metadata, then the fields and vocabulary as Parquet (see {@link VocabularyParquet}). */
  private static final class FieldEncoderModelWriter extends MLWriter {
    private final FieldEncoderModel instance;

    FieldEncoderModelWriter(FieldEncoderModel instance) {
      this.instance = instance;
    }

    @Override
    public void saveImpl(String path) {
      PersistenceSupport.saveMetadata(instance, path, sc());
      VocabularyParquet.save(instance.fields, path, sparkSession());
    }
  }

  /**
   * Reads a model saved by {@link #write()}. Public so that loaders calling {@code load} reflectively can
   * reach it; obtain instances through {@link FieldEncoderModel#read()}.
   */
  public static final class FieldEncoderModelReader extends MLReader<FieldEncoderModel> {
    private FieldEncoderModelReader() {}

    @Override
    public FieldEncoderModel load(String path) {
      DefaultParamsReader.Metadata metadata = PersistenceSupport.loadMetadata(path, sc(), FieldEncoderModel.class);
      FieldEncoderModel model = new FieldEncoderModel(metadata.uid(), VocabularyParquet.load(path, sparkSession()));
      PersistenceSupport.restoreParams(metadata, model);
      return model;
    }
  }
}
