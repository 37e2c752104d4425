package dev.sparkrec.fia;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Scores one partition of pairs joined with their vectors and related ratings (the input columns, then the user
 * vector, the item vector, the user's ratings, the item's ratings and the row's position) into the input columns,
 * prediction, explanations and the position, with one {@link InfluenceCalculator} per task. The prediction and
 * the influences are on the scale the model reports ({@link FactorizedPredictor#reportedPrediction}): the
 * calculator's influence on {@code f} times {@code ∂prediction/∂f} (for a logit, {@code p(1 − p)}).
 */
final class PairExplanations implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;
  private static final Row[] NO_EXPLANATIONS = new Row[0];

  private final FactorizedPredictor predictor;
  private final double damping;
  private final boolean leaveOneOut;
  private final int topK;
  private final int inputColumns;
  private final int userIndex;
  private final int itemIndex;

  PairExplanations(FactorizedPredictor predictor, double damping, boolean leaveOneOut, int topK, int inputColumns,
      int userIndex, int itemIndex) {
    this.predictor = predictor;
    this.damping = damping;
    this.leaveOneOut = leaveOneOut;
    this.topK = topK;
    this.inputColumns = inputColumns;
    this.userIndex = userIndex;
    this.itemIndex = itemIndex;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    InfluenceCalculator calculator = new InfluenceCalculator(predictor, damping, leaveOneOut);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        if (!rows.hasNext()) {
          throw new NoSuchElementException();
        }
        return explain(calculator, rows.next());
      }
    };
  }

  private Row explain(InfluenceCalculator calculator, Row row) {
    Object[] values = new Object[inputColumns + 3];
    values[inputColumns + 2] = row.get(inputColumns + 4);
    for (int c = 0; c < inputColumns; c++) {
      values[c] = row.get(c);
    }
    if (row.isNullAt(inputColumns) || row.isNullAt(inputColumns + 1)) {
      values[inputColumns] = Double.NaN;
      values[inputColumns + 1] = NO_EXPLANATIONS;
      return RowFactory.create(values);
    }
    int user = ((Number) row.get(userIndex)).intValue();
    int item = ((Number) row.get(itemIndex)).intValue();
    float[] userVector = floats(row.getList(inputColumns));
    float[] itemVector = floats(row.getList(inputColumns + 1));
    RatingList userRatings = RatingList.of(row, inputColumns + 2, user, true);
    RatingList itemRatings = RatingList.of(row, inputColumns + 3, item, false);
    InfluenceExplanation result = calculator.explain(user, userVector, item, itemVector,
        userRatings.ids, userRatings.ratings, userRatings.vectors,
        itemRatings.ids, itemRatings.ratings, itemRatings.vectors, topK);
    // Chain rule: Δp ≈ (∂p/∂f)·Δf; a positive factor common to the pair, so the ranking is unchanged.
    double slope = predictor.reportedPredictionSlope(result.prediction());
    Row[] explanations = new Row[result.size()];
    for (int k = 0; k < explanations.length; k++) {
      explanations[k] = RowFactory.create(result.users()[k], result.items()[k], result.ratings()[k],
          slope * result.influences()[k], result.leverages()[k], result.orphaned()[k]);
    }
    values[inputColumns] = predictor.reportedPrediction(result.prediction());
    values[inputColumns + 1] = explanations;
    return RowFactory.create(values);
  }

  static float[] floats(List<?> list) {
    float[] out = new float[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) list.get(i)).floatValue();
    }
    return out;
  }

  /** One id's related ratings: counterpart ids, ratings and counterpart vectors. */
  private static final class RatingList {
    final int[] ids;
    final float[] ratings;
    final float[][] vectors;

    private RatingList(int n) {
      ids = new int[n];
      ratings = new float[n];
      vectors = new float[n][];
    }

    static RatingList of(Row row, int column, int owner, boolean ownerIsUser) {
      if (row.isNullAt(column)) {
        return new RatingList(0);
      }
      List<Row> entries = row.getList(column);
      RatingList list = new RatingList(entries.size());
      for (int e = 0; e < entries.size(); e++) {
        Row entry = entries.get(e);
        list.ids[e] = entry.getInt(0);
        list.ratings[e] = entry.getFloat(1);
        if (entry.isNullAt(2)) {
          String counterpart = ownerIsUser ? "item " + list.ids[e] : "user " + list.ids[e];
          String pair = ownerIsUser ? "(user " + owner + ", item " + list.ids[e] + ")"
              : "(user " + list.ids[e] + ", item " + owner + ")";
          throw new IllegalArgumentException("The training rating " + pair + " refers to " + counterpart
              + ", which the model does not know; pass the ratings the model was fitted on.");
        }
        list.vectors[e] = floats(entry.getList(2));
      }
      return list;
    }
  }
}
