package dev.sparkrec.fm;

import dev.sparkrec.ml.SchemaChecks;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Input checks and output columns of {@link FactorizationMachine} and {@link FactorizationMachineModel}. */
final class FmSchema {

  private static final DataType IDS = DataTypes.createArrayType(DataTypes.IntegerType);
  private static final DataType[] VALUES = {
      DataTypes.createArrayType(DataTypes.FloatType), DataTypes.createArrayType(DataTypes.DoubleType)};
  private static final DataType[] NUMBERS = {
      DataTypes.DoubleType, DataTypes.FloatType, DataTypes.IntegerType, DataTypes.LongType};

  private FmSchema() {}

  /** Checks the columns scoring reads: feature ids and, when set, feature values. */
  static void requireScoringColumns(StructType schema, FmParams p) {
    SchemaChecks.requireColumnType(schema, p.getFeatureIdsCol(), IDS);
    if (!p.getFeatureValuesCol().isEmpty()) {
      SchemaChecks.requireColumnType(schema, p.getFeatureValuesCol(), VALUES);
    }
  }

  /** Checks the columns training reads: the scoring columns, the label, and the optional weight and indicator. */
  static void requireTrainingColumns(StructType schema, FactorizationMachine p) {
    requireScoringColumns(schema, p);
    SchemaChecks.requireColumnType(schema, p.getLabelCol(), NUMBERS);
    if (!p.getWeightCol().isEmpty()) {
      SchemaChecks.requireColumnType(schema, p.getWeightCol(), NUMBERS);
    }
    if (!p.getValidationIndicatorCol().isEmpty()) {
      SchemaChecks.requireColumnType(schema, p.getValidationIndicatorCol(), DataTypes.BooleanType);
    }
  }

  /** {@code schema} plus the raw prediction and probability vectors and the predicted label. */
  static StructType appendOutputs(StructType schema, FmParams p) {
    StructType out = SchemaChecks.append(schema,
        new StructField(p.getRawPredictionCol(), SQLDataTypes.VectorType(), false, Metadata.empty()));
    out = SchemaChecks.append(out,
        new StructField(p.getProbabilityCol(), SQLDataTypes.VectorType(), false, Metadata.empty()));
    return SchemaChecks.append(out,
        new StructField(p.getPredictionCol(), DataTypes.DoubleType, false, Metadata.empty()));
  }
}
