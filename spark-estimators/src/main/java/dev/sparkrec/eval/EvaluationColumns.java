package dev.sparkrec.eval;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import dev.sparkrec.ml.SchemaChecks;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The label, score and weight columns of a binary evaluation as double expressions, plus one
 * {@link #problem} expression that is null for a valid row and otherwise says which column holds
 * which invalid value, so that evaluators validate in the same pass that computes the metric.
 *
 * <p>The score is element 1 of a 2-element ML Vector (the positive class of a binary
 * classifier's {@code probability} or {@code rawPrediction}) or the value of a numeric column.
 */
final class EvaluationColumns {

  static final DataType[] NUMERIC_TYPES = {DataTypes.DoubleType, DataTypes.FloatType, DataTypes.IntegerType,
      DataTypes.LongType, DataTypes.ShortType, DataTypes.ByteType};

  /** Label as double; valid values are 0 and 1. */
  final Column label;
  /** Positive-class score as double; null when a vector column holds a vector whose size is not 2. */
  final Column score;
  /** Weight as double; the literal 1.0 when no weight column is set. */
  final Column weight;
  /** Null for a valid row, otherwise a message naming the param, the column and the value. */
  final Column problem;

  private EvaluationColumns(Column label, Column score, Column weight, Column problem) {
    this.label = label;
    this.score = score;
    this.weight = weight;
    this.problem = problem;
  }

  /**
   * Checks the schema and builds the expressions.
   *
   * @param scoreParam name of the score param, for messages ("probabilityCol" or "rawPredictionCol")
   * @param scoreIsProbability whether scores must lie in [0, 1] (otherwise any non-NaN value is valid)
   * @param weightCol weight column, or null or empty for unit weights
   */
  static EvaluationColumns resolve(StructType schema, String labelCol, String scoreParam, String scoreCol,
      boolean scoreIsProbability, String weightCol) {
    SchemaChecks.requireColumnType(schema, labelCol, NUMERIC_TYPES);
    Column label = column(labelCol).cast(DataTypes.DoubleType);
    Column labelProblem = when(label.isNull().or(label.notEqual(0.0).and(label.notEqual(1.0))),
        concat(lit("labelCol '" + labelCol + "' must be 0 or 1 but holds "), text(column(labelCol))));

    DataType[] scoreTypes = scoreIsProbability
        ? new DataType[] {SQLDataTypes.VectorType(), DataTypes.DoubleType, DataTypes.FloatType}
        : withVector(NUMERIC_TYPES);
    boolean vector = SchemaChecks.requireColumnType(schema, scoreCol, scoreTypes).dataType()
        .sameType(SQLDataTypes.VectorType());
    Column score;
    Column scoreText;
    String rule;
    if (vector) {
      Column array = org.apache.spark.ml.functions.vector_to_array(column(scoreCol), "float64");
      score = when(size(array).equalTo(2), array.getItem(1));
      scoreText = text(array);
      rule = scoreIsProbability ? "must hold 2-element vectors whose element 1 is in [0, 1]"
          : "must hold 2-element vectors whose element 1 is not NaN";
    } else {
      score = column(scoreCol).cast(DataTypes.DoubleType);
      scoreText = text(column(scoreCol));
      rule = scoreIsProbability ? "must be in [0, 1]" : "must not be null or NaN";
    }
    Column badScore = score.isNull().or(isnan(score));
    if (scoreIsProbability) {
      badScore = badScore.or(score.lt(0.0)).or(score.gt(1.0));
    }
    Column scoreProblem = when(badScore,
        concat(lit(scoreParam + " '" + scoreCol + "' " + rule + " but holds "), scoreText));

    Column weight = lit(1.0);
    Column weightProblem = lit(null).cast(DataTypes.StringType);
    if (weightCol != null && !weightCol.isEmpty()) {
      SchemaChecks.requireColumnType(schema, weightCol, NUMERIC_TYPES);
      weight = column(weightCol).cast(DataTypes.DoubleType);
      Column badWeight = weight.isNull().or(isnan(weight)).or(weight.lt(0.0))
          .or(weight.equalTo(Double.POSITIVE_INFINITY));
      weightProblem = when(badWeight, concat(lit("weightCol '" + weightCol
          + "' must be finite and non-negative but holds "), text(column(weightCol))));
    }
    return new EvaluationColumns(label, score, weight, coalesce(labelProblem, scoreProblem, weightProblem));
  }

  /** A column by name, quoted so that names holding dots or spaces are taken literally. */
  static Column column(String name) {
    return col("`" + name.replace("`", "``") + "`");
  }

  /** The value as text for messages; "null" for null. */
  private static Column text(Column value) {
    return coalesce(value.cast(DataTypes.StringType), lit("null"));
  }

  private static DataType[] withVector(DataType[] types) {
    DataType[] all = new DataType[types.length + 1];
    all[0] = SQLDataTypes.VectorType();
    System.arraycopy(types, 0, all, 1, types.length);
    return all;
  }
}
