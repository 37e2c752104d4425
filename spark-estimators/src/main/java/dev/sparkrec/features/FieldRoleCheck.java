package dev.sparkrec.features;

import dev.sparkrec.ml.SchemaChecks;
import dev.sparkrec.ml.param.ParamRegistry;
import dev.sparkrec.ml.param.SparkRecParams;
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Checks, without changing any row, that the columns a {@link FieldEncoder} will encode have the types their
 * declared roles need: {@code categoricalCols} string, int, long or boolean (one id per value), {@code numericCols}
 * float or double (quantile buckets or a carried value). {@code FieldEncoder} picks the encoding from the type, so a
 * category code stored as double, or a measurement stored as int, would otherwise be encoded the other way without
 * a word. A mismatch fails {@code transformSchema} — and so a {@code Pipeline}'s {@code fit} before any work —
 * naming the column, its type and the cast that fixes it. {@code RecPipelines} puts it before the encoder.
 */
public final class FieldRoleCheck extends Transformer implements SparkRecParams, DefaultParamsWritable {

  private static final long serialVersionUID = 1L;

  private static final List<DataType> CATEGORICAL = List.of(DataTypes.StringType, DataTypes.IntegerType,
      DataTypes.LongType, DataTypes.BooleanType);
  private static final List<DataType> NUMERIC = List.of(DataTypes.FloatType, DataTypes.DoubleType);

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();

  public FieldRoleCheck() {
    this(Identifiable$.MODULE$.randomUID("fieldRoleCheck"));
  }

  public FieldRoleCheck(String uid) {
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

  /** Columns encoded one id per value: string, int, long or boolean. Default: none. */
  public StringArrayParam categoricalCols() {
    return param("categoricalCols", o -> new StringArrayParam(o, "categoricalCols",
        "columns encoded one id per value: string, int, long or boolean. Default: none"), new String[0]);
  }

  /** Columns encoded as numbers (buckets or a carried value): float or double. Default: none. */
  public StringArrayParam numericCols() {
    return param("numericCols", o -> new StringArrayParam(o, "numericCols",
        "columns encoded as numbers (quantile buckets or a carried value): float or double. Default: none"),
        new String[0]);
  }

  public String[] getCategoricalCols() {
    return getOrDefault(categoricalCols());
  }

  public String[] getNumericCols() {
    return getOrDefault(numericCols());
  }

  public FieldRoleCheck setCategoricalCols(String... value) {
    set(categoricalCols(), value);
    return this;
  }

  public FieldRoleCheck setNumericCols(String... value) {
    set(numericCols(), value);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    for (String column : getCategoricalCols()) {
      require(schema, column, "categorical", CATEGORICAL, "string");
    }
    for (String column : getNumericCols()) {
      require(schema, column, "numeric", NUMERIC, "double");
    }
    return schema;
  }

  private static void require(StructType schema, String column, String role, List<DataType> allowed, String cast) {
    StructField field = SchemaChecks.requireColumn(schema, column);
    for (DataType type : allowed) {
      if (field.dataType().sameType(type)) {
        return;
      }
    }
    StringBuilder names = new StringBuilder();
    for (DataType type : allowed) {
      names.append(names.length() == 0 ? "" : ", ").append(type.simpleString());
    }
    throw new IllegalArgumentException("Column '" + column + "' is declared " + role + " but is "
        + field.dataType().simpleString() + "; a " + role + " field must be " + names + ". Cast it first, e.g. "
        + "col(\"" + column + "\").cast(\"" + cast + "\"), or declare it " + ("numeric".equals(role)
            ? "categorical" : "numeric") + ".");
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    return dataset.toDF();
  }

  @Override
  public FieldRoleCheck copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<FieldRoleCheck> read() {
    return new DefaultParamsReader<>();
  }

  public static FieldRoleCheck load(String path) {
    return read().load(path);
  }
}
