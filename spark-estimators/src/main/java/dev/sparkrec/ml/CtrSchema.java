package dev.sparkrec.ml;

import dev.sparkrec.ml.param.HasFeatureIdsCol;
import dev.sparkrec.ml.param.HasFeatureValuesCol;
import dev.sparkrec.ml.param.HasLabelCol;
import dev.sparkrec.ml.param.HasPredictionCol;
import dev.sparkrec.ml.param.HasProbabilityCol;
import dev.sparkrec.ml.param.HasRawPredictionCol;
import dev.sparkrec.ml.param.HasValidationIndicatorCol;
import dev.sparkrec.ml.param.HasWeightCol;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Input checks and output columns of the CTR models over feature ids (AFN, FM, DeepFM) and their estimators. */
public final class CtrSchema {

  private static final DataType IDS = DataTypes.createArrayType(DataTypes.IntegerType);
  private static final DataType[] VALUES = {
      DataTypes.createArrayType(DataTypes.FloatType), DataTypes.createArrayType(DataTypes.DoubleType)};
  private static final DataType[] NUMBERS = {
      DataTypes.DoubleType, DataTypes.FloatType, DataTypes.IntegerType, DataTypes.LongType};

  private CtrSchema() {}

  /** Checks the columns scoring reads: feature ids and, when set, feature values. */
  public static <P extends HasFeatureIdsCol & HasFeatureValuesCol> void requireScoringColumns(StructType schema,
      P p) {
    SchemaChecks.requireColumnType(schema, p.getFeatureIdsCol(), IDS);
    if (!p.getFeatureValuesCol().isEmpty()) {
      SchemaChecks.requireColumnType(schema, p.getFeatureValuesCol(), VALUES);
    }
  }

  /** Checks the columns training reads: the scoring columns, the label, and the optional weight and indicator. */
  public static <P extends HasFeatureIdsCol & HasFeatureValuesCol & HasLabelCol & HasWeightCol
      & HasValidationIndicatorCol> void requireTrainingColumns(StructType schema, P p) {
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
  public static <P extends HasRawPredictionCol & HasProbabilityCol & HasPredictionCol> StructType appendOutputs(
      StructType schema, P p) {
    StructType out = SchemaChecks.append(schema,
        new StructField(p.getRawPredictionCol(), SQLDataTypes.VectorType(), false, Metadata.empty()));
    out = SchemaChecks.append(out,
        new StructField(p.getProbabilityCol(), SQLDataTypes.VectorType(), false, Metadata.empty()));
    return SchemaChecks.append(out,
        new StructField(p.getPredictionCol(), DataTypes.DoubleType, false, Metadata.empty()));
  }

  /** {@code field_0 .. field_{n-1}}, for ids without FieldEncoder metadata. */
  public static String[] defaultFieldNames(int n) {
    String[] names = new String[n];
    for (int i = 0; i < n; i++) {
      names[i] = "field_" + i;
    }
    return names;
  }
}
