package dev.sparkrec.resus;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.struct;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * Groups interaction rows into one {@link UserHistory} per user, in time order, spread over a fixed number of
 * partitions by user id and sorted by user within each, so what reads them does not depend on the input's
 * partitioning. Ties in time are broken by the feature ids, then the label, so the order is the same on every run.
 */
final class UserHistories {

  /** Column names of the grouped rows. */
  record Columns(String user, String ids, String values, String label, String time, String baseLogit) {}

  private UserHistories() {}

  /**
   * The histories of {@code data}'s users; {@code columns.values()} may be null. The user column must be an int
   * (cast by the caller), the time column numeric, the base logit a double.
   */
  static JavaRDD<UserHistory> of(Dataset<Row> data, Columns columns, int numPartitions) {
    List<Column> fields = new ArrayList<>(List.of(col(columns.time()).cast("double").as("t"),
        col(columns.ids()).as("ids"), col(columns.label()).cast("double").as("y"),
        col(columns.baseLogit()).cast("double").as("f")));
    boolean hasValues = columns.values() != null;
    if (hasValues) {
      fields.add(col(columns.values()).cast("array<float>").as("v"));
    }
    Dataset<Row> grouped = data.groupBy(col(columns.user()).cast("int").as("u"))
        .agg(collect_list(struct(fields.toArray(new Column[0]))).as("rows"));
    return grouped.javaRDD()
        .mapToPair(row -> new Tuple2<>(row.getInt(0), toHistory(row.getInt(0), row.getList(1), hasValues)))
        .partitionBy(new HashPartitioner(numPartitions))
        .mapPartitions(it -> {
          List<UserHistory> users = new ArrayList<>();
          it.forEachRemaining(pair -> users.add(pair._2()));
          users.sort(Comparator.comparingInt(UserHistory::user));
          return users.iterator();
        }, true);
  }

  private static UserHistory toHistory(int user, List<Row> rows, boolean hasValues) {
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(UserHistories::compareRows);
    int n = sorted.size();
    int fields = sorted.get(0).getList(1).size();
    int[] ids = new int[n * fields];
    float[] values = hasValues ? new float[n * fields] : null;
    float[] labels = new float[n];
    float[] logits = new float[n];
    for (int r = 0; r < n; r++) {
      Row row = sorted.get(r);
      List<Integer> rowIds = row.getList(1);
      if (rowIds.size() != fields) {
        throw new IllegalArgumentException("user " + user + " has rows with " + fields + " and " + rowIds.size()
            + " feature ids; every row needs one id per field");
      }
      for (int f = 0; f < fields; f++) {
        ids[r * fields + f] = rowIds.get(f);
      }
      if (hasValues) {
        List<Float> rowValues = row.getList(4);
        for (int f = 0; f < fields; f++) {
          values[r * fields + f] = rowValues.get(f);
        }
      }
      labels[r] = (float) row.getDouble(2);
      logits[r] = (float) row.getDouble(3);
    }
    return new UserHistory(user, fields, ids, values, labels, logits);
  }

  private static int compareRows(Row a, Row b) {
    int byTime = Double.compare(a.getDouble(0), b.getDouble(0));
    if (byTime != 0) {
      return byTime;
    }
    List<Integer> ia = a.getList(1);
    List<Integer> ib = b.getList(1);
    for (int i = 0; i < Math.min(ia.size(), ib.size()); i++) {
      int c = Integer.compare(ia.get(i), ib.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Double.compare(a.getDouble(2), b.getDouble(2));
  }
}
