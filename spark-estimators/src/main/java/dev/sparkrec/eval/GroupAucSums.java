package dev.sparkrec.eval;

import java.io.Serializable;

/** Running sums of group AUC over some groups (one partition's), mergeable into a total. */
final class GroupAucSums implements Serializable {

  private static final long serialVersionUID = 1L;

  /** sum over evaluated groups of w_g * AUC_g. */
  double weightedAucSum;
  /** sum over evaluated groups of w_g. */
  double weightSum;
  long evaluatedGroups;
  long skippedGroups;
  long invalidRows;
  /** The first invalid row's message, or null. */
  String firstProblem;

  /** Adds one group's AUC (NaN for a group that is skipped) with its weight w_g. */
  void addGroup(double auc, double groupWeight) {
    if (Double.isNaN(auc)) {
      skippedGroups++;
    } else {
      weightedAucSum += groupWeight * auc;
      weightSum += groupWeight;
      evaluatedGroups++;
    }
  }

  void addInvalidRow(String problem) {
    if (invalidRows++ == 0) {
      firstProblem = problem;
    }
  }

  void merge(GroupAucSums other) {
    weightedAucSum += other.weightedAucSum;
    weightSum += other.weightSum;
    evaluatedGroups += other.evaluatedGroups;
    skippedGroups += other.skippedGroups;
    if (invalidRows == 0) {
      firstProblem = other.firstProblem;
    }
    invalidRows += other.invalidRows;
  }
}
