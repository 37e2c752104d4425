package dev.sparkrec.fia;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Joins the two sides of the grouped explainer: rows of {@link SideExplanations#output} sorted by
 * {@code (order, side)}, so that each pair's user-side row is followed by its item-side row, become the explainer's
 * rows (the input columns, the prediction, the explanations, the position). The explanations are the {@code topK}
 * best of both sides' lists by FIA's ranking (orphaning first, then |influence|, then user and item id); a pair that
 * is itself a training rating arrives with both sides' whole lists and is explained by the exact joint solve of
 * {@link InfluenceCalculator}. A pair the model cannot predict (its user or item unknown) gets a NaN prediction and no
 * explanations, or is dropped. Every influence is turned to the reported prediction's scale
 * ({@link FactorizedPredictor#reportedPredictionSlope}).
 */
final class MergedExplanations implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  private static final Row[] NO_EXPLANATIONS = new Row[0];
  private static final int ORDER = 0;
  private static final int SIDE = 1;
  private static final int KEY = 2;
  private static final int F = 3;
  private static final int TOP = 4;
  private static final int ROW = 5;
  private static final int OWN = 6;
  private static final int RATED = 7;

  private final FactorizedPredictor predictor;
  private final double damping;
  private final boolean leaveOneOut;
  private final int topK;
  private final int inputColumns;
  private final boolean dropCold;

  /** {@code dropCold}: whether a pair the model cannot predict is dropped rather than given NaN. */
  MergedExplanations(FactorizedPredictor predictor, double damping, boolean leaveOneOut, int topK,
      int inputColumns, boolean dropCold) {
    this.predictor = predictor;
    this.damping = damping;
    this.leaveOneOut = leaveOneOut;
    this.topK = topK;
    this.inputColumns = inputColumns;
    this.dropCold = dropCold;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    InfluenceCalculator calculator = new InfluenceCalculator(predictor, damping, leaveOneOut);
    return new Iterator<>() {
      private Row next;

      @Override
      public boolean hasNext() {
        while (next == null && rows.hasNext()) {
          Row user = rows.next();
          Row item = rows.hasNext() ? rows.next() : null;
          if (item == null || user.getLong(ORDER) != item.getLong(ORDER)
              || user.getInt(SIDE) != SideExplanations.USER_SIDE || item.getInt(SIDE) != SideExplanations.ITEM_SIDE) {
            throw new IllegalStateException("the two sides of the pair at position " + user.getLong(ORDER)
                + " do not follow each other");
          }
          if (Double.isNaN(user.getDouble(F)) || Double.isNaN(item.getDouble(F))) {
            next = dropCold ? null : output(user, Double.NaN, NO_EXPLANATIONS);
          } else {
            next = user.isNullAt(TOP) ? joint(calculator, user, item) : merge(user, item);
          }
        }
        return next != null;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Row out = next;
        next = null;
        return out;
      }
    };
  }

  private Row merge(Row userSide, Row itemSide) {
    double slope = predictor.reportedPredictionSlope(userSide.getDouble(F));
    RankedRatings a = RankedRatings.wrap((byte[]) userSide.get(TOP));
    RankedRatings b = RankedRatings.wrap((byte[]) itemSide.get(TOP));
    int n = Math.min(topK, a.size() + b.size());
    Row[] merged = new Row[n];
    int i = 0;
    int j = 0;
    for (int k = 0; k < n; k++) {
      boolean fromA = j == b.size() || i < a.size() && !before(b, j, a, i);
      RankedRatings x = fromA ? a : b;
      int at = fromA ? i++ : j++;
      merged[k] = RowFactory.create(x.user(at), x.item(at), x.rating(at), slope * x.influence(at), x.leverage(at),
          x.orphaned(at));
    }
    return output(userSide, predictor.reportedPrediction(userSide.getDouble(F)), merged);
  }

  /** A pair that is a training rating, from both sides' whole lists, as the per-pair path explains it. */
  private Row joint(InfluenceCalculator calculator, Row userSide, Row itemSide) {
    List<Row> rated = rows(userSide, RATED);
    List<Row> raters = rows(itemSide, RATED);
    InfluenceExplanation e = calculator.explain(userSide.getInt(KEY), SideExplanations.floats(userSide, OWN),
        itemSide.getInt(KEY), SideExplanations.floats(itemSide, OWN),
        ids(rated), ratings(rated), vectors(rated), ids(raters), ratings(raters), vectors(raters), topK);
    double slope = predictor.reportedPredictionSlope(e.prediction());
    Row[] explanations = new Row[e.size()];
    for (int k = 0; k < explanations.length; k++) {
      explanations[k] = RowFactory.create(e.users()[k], e.items()[k], e.ratings()[k], slope * e.influences()[k],
          e.leverages()[k], e.orphaned()[k]);
    }
    return output(userSide, predictor.reportedPrediction(e.prediction()), explanations);
  }

  private Row output(Row userSide, double prediction, Row[] explanations) {
    Row input = userSide.getStruct(ROW);
    Object[] values = new Object[inputColumns + 3];
    for (int c = 0; c < inputColumns; c++) {
      values[c] = input.get(c);
    }
    values[inputColumns] = prediction;
    values[inputColumns + 1] = explanations;
    values[inputColumns + 2] = userSide.getLong(ORDER);
    return RowFactory.create(values);
  }

  /** Whether entry {@code p} of {@code x} ranks strictly before entry {@code q} of {@code y}. */
  private static boolean before(RankedRatings x, int p, RankedRatings y, int q) {
    boolean ox = x.orphaned(p);
    if (ox != y.orphaned(q)) {
      return ox;
    }
    int c = Double.compare(Math.abs(x.influence(p)), Math.abs(y.influence(q)));
    if (c != 0) {
      return c > 0;
    }
    if (x.user(p) != y.user(q)) {
      return x.user(p) < y.user(q);
    }
    return x.item(p) < y.item(q);
  }

  /**
   * A side's whole rating list: a sequence after a shuffle, the array {@link SideExplanations} built where the two
   * steps run in one task ({@link BroadcastExplanations}).
   */
  private static List<Row> rows(Row side, int field) {
    Object value = side.get(field);
    return value instanceof Row[] ? Arrays.asList((Row[]) value) : side.getList(field);
  }

  private static int[] ids(List<Row> list) {
    int[] out = new int[list.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = list.get(k).getInt(0);
    }
    return out;
  }

  private static float[] ratings(List<Row> list) {
    float[] out = new float[list.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = list.get(k).getFloat(1);
    }
    return out;
  }

  private static float[][] vectors(List<Row> list) {
    float[][] out = new float[list.size()][];
    for (int k = 0; k < out.length; k++) {
      out[k] = SideExplanations.floats(list.get(k), 2);
    }
    return out;
  }
}
