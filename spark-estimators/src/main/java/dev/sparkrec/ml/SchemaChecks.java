package dev.sparkrec.ml;

import java.util.Arrays;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Schema validation shared by SparkRec stages; every message names the column and what was expected. */
public final class SchemaChecks {

  private SchemaChecks() {}

  /** Returns the field named {@code column}, or fails naming the column and the columns that exist. */
  public static StructField requireColumn(StructType schema, String column) {
    if (column == null || column.isEmpty()) {
      throw new IllegalArgumentException("A column name is required but none was set.");
    }
    if (!Arrays.asList(schema.fieldNames()).contains(column)) {
      throw new IllegalArgumentException("Column '" + column + "' does not exist. Available columns: "
          + String.join(", ", schema.fieldNames()) + ".");
    }
    return schema.apply(column);
  }

  /** Requires {@code column} to exist with one of {@code allowed} types. */
  public static StructField requireColumnType(StructType schema, String column, DataType... allowed) {
    StructField field = requireColumn(schema, column);
    for (DataType type : allowed) {
      if (field.dataType().sameType(type)) {
        return field;
      }
    }
    StringBuilder expected = new StringBuilder();
    for (DataType type : allowed) {
      if (expected.length() > 0) {
        expected.append(" or ");
      }
      expected.append(type.simpleString());
    }
    throw new IllegalArgumentException("Column '" + column + "' must be of type " + expected
        + " but is " + field.dataType().simpleString() + ".");
  }

  /** Requires that {@code column} is not already present (an output column would overwrite it). */
  public static void requireAbsent(StructType schema, String column) {
    if (Arrays.asList(schema.fieldNames()).contains(column)) {
      throw new IllegalArgumentException("Output column '" + column + "' already exists; choose another name "
          + "or drop the existing column first.");
    }
  }

  /** Returns {@code schema} with {@code field} appended, after checking its name is free. */
  public static StructType append(StructType schema, StructField field) {
    requireAbsent(schema, field.name());
    return schema.add(field);
  }
}
