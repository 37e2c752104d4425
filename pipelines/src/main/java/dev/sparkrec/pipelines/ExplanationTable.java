package dev.sparkrec.pipelines;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;

/**
 * FIA's explanations as a report table: one row per explained prediction (user, rank for recommendations, item,
 * prediction) with its influential training ratings in one cell, each as who rated what and how much the prediction
 * would change without that rating.
 */
final class ExplanationTable {

  static final String RATINGS_COLUMN = "influential ratings (the prediction's change without each)";

  private ExplanationTable() {}

  /** The table's columns; {@code ranked} adds the recommendation's rank. */
  static List<String> columns(boolean ranked) {
    return ranked ? List.of("user", "rank", "item", "prediction", RATINGS_COLUMN)
        : List.of("user", "item", "prediction", RATINGS_COLUMN);
  }

  /**
   * The table's rows for {@code explained} (rows of {@code InfluenceExplainer}: the user and item columns named
   * {@code userCol} and {@code itemCol}, {@code rank} when {@code ranked}, {@code prediction}, {@code explanations}).
   */
  static List<List<Object>> rows(List<Row> explained, String userCol, String itemCol, boolean ranked) {
    List<List<Object>> rows = new ArrayList<>();
    for (Row r : explained) {
      int user = number(r, userCol).intValue();
      List<String> because = new ArrayList<>();
      for (Row why : r.<Row>getList(r.fieldIndex("explanations"))) {
        because.add(String.format(Locale.ROOT, "%s %.0f (%+.2f)", who(why, user), number(why, "rating").doubleValue(),
            number(why, "influence").doubleValue()));
      }
      List<Object> row = new ArrayList<>();
      row.add(user);
      if (ranked) {
        row.add(number(r, "rank").intValue());
      }
      row.add(number(r, itemCol).intValue());
      row.add(Math.round(number(r, "prediction").doubleValue() * 100) / 100.0);
      row.add(String.join("; ", because));
      rows.add(row);
    }
    return rows;
  }

  /** Who gave an influential rating: the user itself (which item) or a neighbour (of the explained item). */
  static String who(Row why, int user) {
    return number(why, "user").intValue() == user ? "user " + user + " rated item " + number(why, "item").intValue()
        : "user " + number(why, "user").intValue() + " rated it";
  }

  static Number number(Row row, String field) {
    return (Number) row.get(row.fieldIndex(field));
  }
}
