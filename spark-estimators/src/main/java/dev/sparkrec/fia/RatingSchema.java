package dev.sparkrec.fia;

import dev.sparkrec.ml.SchemaChecks;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Input checks and output columns of the collaborative-filtering stages. */
final class RatingSchema {

  static final DataType[] IDS = {DataTypes.IntegerType, DataTypes.LongType};
  static final DataType[] NUMBERS = {
      DataTypes.DoubleType, DataTypes.FloatType, DataTypes.IntegerType, DataTypes.LongType};

  private RatingSchema() {}

  /** Checks the columns scoring reads: the user and item ids. */
  static void requireScoringColumns(StructType schema, CfParams p) {
    SchemaChecks.requireColumnType(schema, p.getUserCol(), IDS);
    SchemaChecks.requireColumnType(schema, p.getItemCol(), IDS);
  }

  /** Checks the columns training reads: the ids, the rating, and the optional weight and validation indicator. */
  static void requireTrainingColumns(StructType schema, CollaborativeFiltering<?, ?> p) {
    requireScoringColumns(schema, p);
    SchemaChecks.requireColumnType(schema, p.getRatingCol(), NUMBERS);
    if (!p.getWeightCol().isEmpty()) {
      SchemaChecks.requireColumnType(schema, p.getWeightCol(), NUMBERS);
    }
    if (!p.getValidationIndicatorCol().isEmpty()) {
      SchemaChecks.requireColumnType(schema, p.getValidationIndicatorCol(), DataTypes.BooleanType);
    }
  }

  /** {@code schema} plus the float prediction column. */
  static StructType appendPrediction(StructType schema, CfParams p) {
    return SchemaChecks.append(schema, new StructField(p.getPredictionCol(), DataTypes.FloatType, false,
        Metadata.empty()));
  }

  /**
   * ALS's recommendation schema: {@code idCol} int and {@code recommendations}
   * {@code array<struct<otherCol: int, rating: float>>}, best first.
   */
  static StructType recommendations(String idCol, String otherCol) {
    StructType entry = new StructType()
        .add(otherCol, DataTypes.IntegerType, false)
        .add("rating", DataTypes.FloatType, false);
    return new StructType()
        .add(idCol, DataTypes.IntegerType, false)
        .add("recommendations", DataTypes.createArrayType(entry, false), false);
  }
}
