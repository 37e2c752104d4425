package dev.sparkrec.eval;

import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;

/**
 * Computes the group AUC sums of one partition whose rows are sorted by group, one group at a time.
 *
 * <p>Input rows are (group, label, score, weight, problem) as selected by {@link GroupAucEvaluator};
 * rows with a non-null problem are counted as invalid and left out.
 */
final class GroupAucPartition implements FlatMapFunction<Iterator<Row>, GroupAucSums> {

  private static final long serialVersionUID = 1L;

  static final int GROUP = 0;
  static final int LABEL = 1;
  static final int SCORE = 2;
  static final int WEIGHT = 3;
  static final int PROBLEM = 4;

  private final boolean weighted;

  /** With {@code weighted}, AUC is weighted and w_g is the group's weight sum; otherwise w_g is its row count. */
  GroupAucPartition(boolean weighted) {
    this.weighted = weighted;
  }

  @Override
  public Iterator<GroupAucSums> call(Iterator<Row> rows) {
    GroupAucSums sums = new GroupAucSums();
    double[] scores = new double[64];
    double[] labels = new double[64];
    double[] weights = new double[64];
    int size = 0;
    Object currentGroup = null;
    while (rows.hasNext()) {
      Row row = rows.next();
      if (!row.isNullAt(PROBLEM)) {
        sums.addInvalidRow(row.getString(PROBLEM));
        continue;
      }
      Object group = row.get(GROUP);
      if (size > 0 && !group.equals(currentGroup)) {
        addGroup(sums, scores, labels, weights, size);
        size = 0;
      }
      currentGroup = group;
      if (size == scores.length) {
        scores = Arrays.copyOf(scores, 2 * size);
        labels = Arrays.copyOf(labels, 2 * size);
        weights = Arrays.copyOf(weights, 2 * size);
      }
      scores[size] = row.getDouble(SCORE);
      labels[size] = row.getDouble(LABEL);
      weights[size] = row.getDouble(WEIGHT);
      size++;
    }
    if (size > 0) {
      addGroup(sums, scores, labels, weights, size);
    }
    return Collections.singletonList(sums).iterator();
  }

  private void addGroup(GroupAucSums sums, double[] scores, double[] labels, double[] weights, int size) {
    double auc = BinaryMetrics.auc(scores, labels, weighted ? weights : null, size);
    double groupWeight = size; // w_g = number of rows of the group ...
    if (weighted) {
      groupWeight = 0.0; // ... or, with a weight column, the sum of its weights
      for (int i = 0; i < size; i++) {
        groupWeight += weights[i];
      }
    }
    sums.addGroup(auc, groupWeight);
  }
}
