package dev.sparkrec.features;

import dev.sparkrec.ml.param.HasFeatureIdsCol;
import dev.sparkrec.ml.param.HasFeatureValuesCol;
import dev.sparkrec.ml.param.HasNumFeatures;
import dev.sparkrec.ml.param.HasOutputCol;
import dev.sparkrec.ml.param.ParamRegistry;
import dev.sparkrec.ml.SchemaChecks;
import java.util.Arrays;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.Seq;

/**
 * Turns SparkRec's sparse field encoding (an {@code array<int>} of feature ids and an optional
 * {@code array<float>} of their values, as {@link FieldEncoderModel} writes them) into an MLlib
 * {@link Vector} of size {@code numFeatures}, so MLlib learners such as {@code LogisticRegression}
 * and {@code FMClassifier} train on the same encoding as SparkRec's own models.
 *
 * <p>The vector size is {@code numFeatures} when positive, else read from the ids column's
 * {@link FieldEncodingMetadata}, so the stage can follow a {@code FieldEncoder} in one
 * {@code Pipeline} without being told the size. Values default to 1.0 when {@code featureValuesCol}
 * is empty; repeated ids in a row add up.
 * An id outside {@code [0, numFeatures)}, a null array, or arrays of different lengths fail the
 * job with the column and the offending value.
 */
public final class FeatureIdsToVector extends Transformer
    implements HasFeatureIdsCol, HasFeatureValuesCol, HasNumFeatures, HasOutputCol, DefaultParamsWritable {

  private static final long serialVersionUID = 1L;

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();

  public FeatureIdsToVector() {
    this(Identifiable$.MODULE$.randomUID("featureIdsToVector"));
  }

  public FeatureIdsToVector(String uid) {
    this.uid = uid;
    setDefault(outputCol(), "features");
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public ParamRegistry paramRegistry() {
    return paramRegistry;
  }

  public FeatureIdsToVector setFeatureIdsCol(String value) {
    set(featureIdsCol(), value);
    return this;
  }

  public FeatureIdsToVector setFeatureValuesCol(String value) {
    set(featureValuesCol(), value);
    return this;
  }

  public FeatureIdsToVector setNumFeatures(int value) {
    set(numFeatures(), value);
    return this;
  }

  public FeatureIdsToVector setOutputCol(String value) {
    set(outputCol(), value);
    return this;
  }

  private boolean hasValues() {
    return !getFeatureValuesCol().isEmpty();
  }

  /** {@code numFeatures} when positive, else the size recorded on the ids column by a FieldEncoderModel. */
  private int vectorSize(StructType schema) {
    if (getNumFeatures() > 0) {
      return getNumFeatures();
    }
    return FieldEncodingMetadata.of(schema.apply(getFeatureIdsCol())).map(FieldEncodingMetadata::numFeatures)
        .orElseThrow(() -> new IllegalArgumentException("FeatureIdsToVector needs numFeatures: column '"
            + getFeatureIdsCol() + "' carries no FieldEncoder metadata, so set numFeatures to the encoder's "
            + "FieldEncoderModel.numFeatures()."));
  }

  @Override
  public StructType transformSchema(StructType schema) {
    SchemaChecks.requireColumnType(schema, getFeatureIdsCol(),
        DataTypes.createArrayType(DataTypes.IntegerType, true));
    // The size may be unknown here (a Pipeline validates schemas before the encoder is fitted); it is
    // required at transform time.
    if (hasValues()) {
      SchemaChecks.requireColumnType(schema, getFeatureValuesCol(),
          DataTypes.createArrayType(DataTypes.FloatType, true));
    }
    return SchemaChecks.append(schema,
        new StructField(getOutputCol(), SQLDataTypes.VectorType(), false, Metadata.empty()));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    int size = vectorSize(dataset.schema());
    Column ids = functions.col(getFeatureIdsCol());
    Column values = hasValues()
        ? functions.col(getFeatureValuesCol())
        : functions.lit(null).cast(DataTypes.createArrayType(DataTypes.FloatType));
    UserDefinedFunction toVector = functions.udf(
        new ToVector(size, getFeatureIdsCol(), getFeatureValuesCol()),
        SQLDataTypes.VectorType())
        .asNonNullable();
    return dataset.withColumn(getOutputCol(), toVector.apply(ids, values));
  }

  @Override
  public FeatureIdsToVector copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<FeatureIdsToVector> read() {
    return new DefaultParamsReader<>();
  }

  public static FeatureIdsToVector load(String path) {
    return read().load(path);
  }

  /** The per-row conversion; static so the closure carries three fields, not the stage. */
  private static final class ToVector implements UDF2<Seq<Integer>, Seq<Float>, Vector> {
    private static final long serialVersionUID = 1L;
    private final int size;
    private final String idsCol;
    private final String valuesCol;

    ToVector(int size, String idsCol, String valuesCol) {
      this.size = size;
      this.idsCol = idsCol;
      this.valuesCol = valuesCol;
    }

    @Override
    public Vector call(Seq<Integer> ids, Seq<Float> values) {
      if (ids == null) {
        throw new IllegalArgumentException("Column '" + idsCol + "' has a null feature array; encode the rows "
            + "with FieldEncoder (handleInvalid=\"keep\") or drop them first.");
      }
      int n = ids.length();
      if (values != null && values.length() != n) {
        throw new IllegalArgumentException("Columns '" + idsCol + "' and '" + valuesCol + "' differ in length ("
            + n + " ids, " + values.length() + " values) in one row.");
      }
      // Sort (id, position) pairs by id so the SparseVector's indices are strictly increasing.
      long[] packed = new long[n];
      for (int i = 0; i < n; i++) {
        Integer id = ids.apply(i);
        if (id == null || id < 0 || id >= size) {
          throw new IllegalArgumentException("Column '" + idsCol + "' has feature id " + id
              + " outside [0, " + size + "); numFeatures must be the encoder's numFeatures().");
        }
        packed[i] = ((long) id << 32) | i;
      }
      Arrays.sort(packed);
      int[] indices = new int[n];
      double[] vals = new double[n];
      int unique = 0;
      for (int j = 0; j < n; j++) {
        int id = (int) (packed[j] >>> 32);
        int at = (int) packed[j];
        double v = 1.0;
        if (values != null) {
          Float f = values.apply(at);
          if (f == null) {
            throw new IllegalArgumentException("Column '" + valuesCol + "' has a null value for feature id "
                + id + ".");
          }
          v = f;
        }
        if (unique > 0 && indices[unique - 1] == id) {
          vals[unique - 1] += v;
        } else {
          indices[unique] = id;
          vals[unique] = v;
          unique++;
        }
      }
      return Vectors.sparse(size, Arrays.copyOf(indices, unique), Arrays.copyOf(vals, unique));
    }
  }
}
