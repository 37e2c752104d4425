package dev.sparkrec.data;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One-hot features of categorical columns holding strings that end with the value index
 * ({@code f<field>_v<value>}, {@code g<group>}): one block
 * per group of columns, indexed by the joint value (a group of one column is its first-order
 * one-hot; a group of k columns is the one-hot of their k-th order cross), plus numeric columns
 * as they are. Used to check that planted signal is learnable.
 */
final class CrossFeatures implements MapFunction<Row, Row> {

  static final StructType SCHEMA = new StructType()
      .add("label", DataTypes.DoubleType, false)
      .add("features", SQLDataTypes.VectorType(), false);

  private final String[][] groups;
  private final int[][] groupCardinalities;
  private final String[] numericColumns;
  private final int size;

  /** {@code groups[g]} names the columns of group g and {@code cardinalities[g]} their value counts. */
  CrossFeatures(String[][] groups, int[][] cardinalities, String... numericColumns) {
    this.groups = groups;
    this.groupCardinalities = cardinalities;
    this.numericColumns = numericColumns;
    int total = numericColumns.length;
    for (int[] cards : cardinalities) {
      int block = 1;
      for (int c : cards) {
        block *= c;
      }
      total += block;
    }
    this.size = total;
  }

  @Override
  public Row call(Row row) {
    List<Integer> indices = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    int offset = 0;
    for (int g = 0; g < groups.length; g++) {
      int joint = 0;
      int block = 1;
      for (int k = 0; k < groups[g].length; k++) {
        int value = trailingNumber(row.getString(row.fieldIndex(groups[g][k])));
        joint = joint * groupCardinalities[g][k] + value;
        block *= groupCardinalities[g][k];
      }
      indices.add(offset + joint);
      values.add(1.0);
      offset += block;
    }
    for (String column : numericColumns) {
      indices.add(offset++);
      values.add(row.getDouble(row.fieldIndex(column)));
    }
    int[] idx = indices.stream().mapToInt(Integer::intValue).toArray();
    double[] val = values.stream().mapToDouble(Double::doubleValue).toArray();
    return RowFactory.create(row.getDouble(row.fieldIndex("label")), Vectors.sparse(size, idx, val));
  }

  /** The number a categorical string ends with: 17 for "f3_v17", 5 for "g5". */
  static int trailingNumber(String value) {
    int start = value.length();
    while (start > 0 && Character.isDigit(value.charAt(start - 1))) {
      start--;
    }
    return Integer.parseInt(value.substring(start));
  }

  Dataset<Row> apply(Dataset<Row> data) {
    return data.map(this, Encoders.row(SCHEMA));
  }

  /** Test AUC of a lightly regularised logistic regression trained on {@code train}. */
  static double logisticAuc(CrossFeatures features, Dataset<Row> train, Dataset<Row> test) {
    LogisticRegressionModel model = new LogisticRegression().setMaxIter(50).setRegParam(1e-3)
        .fit(features.apply(train));
    return new BinaryClassificationEvaluator().evaluate(model.transform(features.apply(test)));
  }
}
