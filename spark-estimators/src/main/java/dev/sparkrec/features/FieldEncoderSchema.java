package dev.sparkrec.features;

import dev.sparkrec.ml.SchemaChecks;
import java.util.HashSet;
import java.util.Set;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Input type rules and output columns of {@link FieldEncoder} and {@link FieldEncoderModel}. */
final class FieldEncoderSchema {

  /** Type of the feature ids column. */
  static final ArrayType FEATURE_IDS_TYPE = DataTypes.createArrayType(DataTypes.IntegerType, false);
  /** Type of the feature values column. */
  static final ArrayType FEATURE_VALUES_TYPE = DataTypes.createArrayType(DataTypes.FloatType, false);

  private FieldEncoderSchema() {}

  /** Whether a column of this type is encoded as categorical values (string, int, long, boolean). */
  static boolean isCategoricalType(DataType type) {
    return type.sameType(DataTypes.StringType) || type.sameType(DataTypes.IntegerType)
        || type.sameType(DataTypes.LongType) || type.sameType(DataTypes.BooleanType);
  }

  /** Whether a column of this type is numeric (float, double). */
  static boolean isNumericType(DataType type) {
    return type.sameType(DataTypes.FloatType) || type.sameType(DataTypes.DoubleType);
  }

  /**
   * Checks that {@code inputCols} is a non-empty list of distinct existing columns of supported types, and
   * returns the encoding of each: categorical types are {@link FieldEncoding#CATEGORICAL}, numeric ones get
   * {@code numericEncoding}.
   */
  static FieldEncoding[] encodings(StructType schema, String[] inputCols, FieldEncoding numericEncoding) {
    requireDistinct(inputCols);
    FieldEncoding[] encodings = new FieldEncoding[inputCols.length];
    for (int i = 0; i < inputCols.length; i++) {
      DataType type = SchemaChecks.requireColumn(schema, inputCols[i]).dataType();
      if (isCategoricalType(type)) {
        encodings[i] = FieldEncoding.CATEGORICAL;
      } else if (isNumericType(type)) {
        encodings[i] = numericEncoding;
      } else {
        throw new IllegalArgumentException("Column '" + inputCols[i] + "' has type " + type.simpleString()
            + ", which FieldEncoder cannot encode: input columns must be categorical (string, int, long, "
            + "boolean) or numeric (float, double); cast the column first.");
      }
    }
    return encodings;
  }

  /**
   * Checks that {@code inputCols} match the fields a model was fitted on: as many columns, each existing,
   * with a categorical type for a categorical field and a numeric type for a bucketized or value field.
   */
  static void requireCompatible(StructType schema, String[] inputCols, FieldEncoding[] fitted) {
    if (inputCols.length != fitted.length) {
      throw new IllegalArgumentException("inputCols has " + inputCols.length + " columns but the model was "
          + "fitted on " + fitted.length + " fields; set inputCols to one column per fitted field, in order.");
    }
    requireDistinct(inputCols);
    for (int i = 0; i < inputCols.length; i++) {
      DataType type = SchemaChecks.requireColumn(schema, inputCols[i]).dataType();
      boolean ok = fitted[i] == FieldEncoding.CATEGORICAL ? isCategoricalType(type) : isNumericType(type);
      if (!ok) {
        throw new IllegalArgumentException("Column '" + inputCols[i] + "' has type " + type.simpleString()
            + " but field " + i + " was fitted as " + fitted[i].label() + ", which needs "
            + (fitted[i] == FieldEncoding.CATEGORICAL ? "string, int, long or boolean" : "float or double")
            + ".");
      }
    }
  }

  /** {@code schema} with the two output columns appended; fails if either already exists or they coincide. */
  static StructType appendOutputs(StructType schema, String featureIdsCol, String featureValuesCol) {
    if (featureIdsCol.equals(featureValuesCol)) {
      throw new IllegalArgumentException("featureIdsCol and featureValuesCol are both '" + featureIdsCol
          + "'; give them different names.");
    }
    StructType withIds = SchemaChecks.append(schema, new StructField(featureIdsCol, FEATURE_IDS_TYPE, false,
        Metadata.empty()));
    return SchemaChecks.append(withIds, new StructField(featureValuesCol, FEATURE_VALUES_TYPE, false,
        Metadata.empty()));
  }

  /**
   * {@code schema} with the sequence outputs appended: each of {@code sequenceCols} must be an array column whose
   * elements have the kind (categorical or numeric) of its {@code sequenceFields} entry, a column of
   * {@code inputCols}; the three lists must be as long as each other.
   */
  static StructType appendSequences(StructType schema, String[] inputCols, String[] sequenceCols,
      String[] sequenceFields, String[] outputCols) {
    if (sequenceFields.length != sequenceCols.length || outputCols.length != sequenceCols.length) {
      throw new IllegalArgumentException("sequenceCols has " + sequenceCols.length + " columns, sequenceFields "
          + sequenceFields.length + " and sequenceOutputCols " + outputCols.length + "; give one field (and "
          + "optionally one output column) per sequence column.");
    }
    StructType out = schema;
    for (int i = 0; i < sequenceCols.length; i++) {
      int field = java.util.Arrays.asList(inputCols).indexOf(sequenceFields[i]);
      if (field < 0) {
        throw new IllegalArgumentException("sequenceFields names '" + sequenceFields[i] + "' for sequence column '"
            + sequenceCols[i] + "', which is not one of inputCols " + java.util.Arrays.toString(inputCols) + ".");
      }
      DataType type = SchemaChecks.requireColumn(schema, sequenceCols[i]).dataType();
      DataType fieldType = SchemaChecks.requireColumn(schema, inputCols[field]).dataType();
      if (!(type instanceof ArrayType array)
          || isCategoricalType(array.elementType()) != isCategoricalType(fieldType)
          || !(isCategoricalType(array.elementType()) || isNumericType(array.elementType()))) {
        throw new IllegalArgumentException("Sequence column '" + sequenceCols[i] + "' has type "
            + type.simpleString() + "; it must be an array of values like field '" + inputCols[field] + "' ("
            + fieldType.simpleString() + ").");
      }
      out = SchemaChecks.append(out, new StructField(outputCols[i], FEATURE_IDS_TYPE, false, Metadata.empty()));
    }
    return out;
  }

  private static void requireDistinct(String[] inputCols) {
    if (inputCols.length == 0) {
      throw new IllegalArgumentException("inputCols is empty; name at least one column to encode.");
    }
    Set<String> seen = new HashSet<>();
    for (String column : inputCols) {
      if (!seen.add(column)) {
        throw new IllegalArgumentException("Column '" + column + "' appears twice in inputCols; each field "
            + "must be listed once.");
      }
    }
  }
}
