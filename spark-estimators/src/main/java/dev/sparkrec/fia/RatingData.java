package dev.sparkrec.fia;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.sparkrec.train.ExampleColumns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Training ratings checked and put in the trainer's form. {@link #prepare} reads the data once to check every row
 * (ids not null and within the int range, a finite rating, or 0/1 for binary labels, a finite weight >= 0) and to
 * take the training rows' weighted mean rating, and once more to gather the distinct user and item ids of the
 * training rows (as primitive arrays per partition: the driver holds 4 bytes per id); a bad row fails naming the
 * column and showing the row. The examples hold feature ids {@code [userIndex, numUsers + itemIndex]},
 * the rating as label and the weight; validation rows whose user or item has no training rating are left out (and
 * when that leaves none, preparing fails, since nothing could monitor training).
 */
final class RatingData {

  static final String FEATURE_IDS = "featureIds";
  static final String LABEL = "label";
  static final String WEIGHT = "weight";

  private final IdIndex users;
  private final IdIndex items;
  private final double globalMean;
  private final Dataset<Row> train;
  private final Dataset<Row> validation;
  private final ExampleColumns columns;

  private RatingData(IdIndex users, IdIndex items, double globalMean, Dataset<Row> train, Dataset<Row> validation,
      ExampleColumns columns) {
    this.users = users;
    this.items = items;
    this.globalMean = globalMean;
    this.train = train;
    this.validation = validation;
    this.columns = columns;
  }

  /** Checks {@code dataset} and builds the examples; {@code binaryLabels} requires ratings of 0 or 1. */
  static RatingData prepare(Dataset<?> dataset, CollaborativeFiltering<?, ?> p, boolean binaryLabels) {
    RatingSchema.requireTrainingColumns(dataset.schema(), p);
    Dataset<Row> data = dataset.toDF();
    boolean weighted = !p.getWeightCol().isEmpty();
    Column user = col(p.getUserCol()).cast(DataTypes.LongType);
    Column item = col(p.getItemCol()).cast(DataTypes.LongType);
    Column rating = col(p.getRatingCol()).cast(DataTypes.DoubleType);
    Column weight = weighted ? col(p.getWeightCol()).cast(DataTypes.DoubleType) : lit(1.0);
    Column isTrain = p.getValidationIndicatorCol().isEmpty() ? lit(true)
        : not(coalesce(col(p.getValidationIndicatorCol()), lit(false)));
    Column badRating = binaryLabels ? rating.isNull().or(rating.notEqual(0.0).and(rating.notEqual(1.0)))
        : rating.isNull().or(isnan(rating)).or(isInfinite(rating));
    Column badWeight = weight.isNull().or(isnan(weight)).or(isInfinite(weight)).or(weight.lt(0.0));

    Row stats = data.agg(
        count(lit(1)),
        sum(when(user.isNull(), 1).otherwise(0)),
        sum(when(item.isNull(), 1).otherwise(0)),
        min(user), max(user), min(item), max(item),
        sum(when(badRating, 1).otherwise(0)),
        sum(when(badWeight, 1).otherwise(0)),
        sum(when(isTrain, 1).otherwise(0)),
        sum(when(isTrain, weight.multiply(rating))),
        sum(when(isTrain, weight))).first();
    if (stats.getLong(0) == 0) {
      throw new IllegalArgumentException("The training data has no rows.");
    }
    requireNoNulls(data, stats.getLong(1), p.getUserCol(), p);
    requireNoNulls(data, stats.getLong(2), p.getItemCol(), p);
    requireIntRange(stats.getLong(3), stats.getLong(4), p.getUserCol());
    requireIntRange(stats.getLong(5), stats.getLong(6), p.getItemCol());
    if (stats.getLong(7) > 0) {
      throw new IllegalArgumentException("Column '" + p.getRatingCol() + "' must hold "
          + (binaryLabels ? "0 or 1 (the bce loss reads implicit feedback)" : "a finite number") + " in every row, "
          + "but " + stats.getLong(7) + " rows do not, e.g. " + example(data, badRating, p) + ".");
    }
    if (stats.getLong(8) > 0) {
      throw new IllegalArgumentException("Column '" + p.getWeightCol() + "' must hold a finite number >= 0 in every "
          + "row, but " + stats.getLong(8) + " rows do not, e.g. " + example(data, badWeight, p) + ".");
    }
    if (stats.getLong(9) == 0) {
      throw new IllegalArgumentException("Every row is a validation row (column '" + p.getValidationIndicatorCol()
          + "'); training needs at least one rating that is not.");
    }
    double weightSum = stats.getDouble(11);
    if (!(weightSum > 0)) {
      throw new IllegalArgumentException("The weights in column '" + p.getWeightCol() + "' of the training rows sum to "
          + weightSum + "; at least one training rating needs a positive weight.");
    }
    double globalMean = stats.getDouble(10) / weightSum; // μ = Σ w·r / Σ w over the training rows
    Dataset<Row> trainIds = data.where(isTrain).select(user.cast(DataTypes.IntegerType),
        item.cast(DataTypes.IntegerType));
    IdIndex users = new IdIndex(distinctSorted(trainIds, 0));
    IdIndex items = new IdIndex(distinctSorted(trainIds, 1));

    Column[] selected = weighted ? new Column[] {user, item, rating, weight} : new Column[] {user, item, rating};
    StructType exampleSchema = new StructType()
        .add(FEATURE_IDS, DataTypes.createArrayType(DataTypes.IntegerType, false), false)
        .add(LABEL, DataTypes.DoubleType, false);
    if (weighted) {
      exampleSchema = exampleSchema.add(WEIGHT, DataTypes.DoubleType, false);
    }
    // broadcast once: a closure holding the indices would ship them in every task binary of every training round
    ToExamples toExamples = new ToExamples(JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext())
        .broadcast(new IdIndex[] {users, items}));
    Dataset<Row> train = data.where(isTrain).select(selected).mapPartitions(toExamples, Encoders.row(exampleSchema));
    Dataset<Row> validation = p.getValidationIndicatorCol().isEmpty() ? null
        : data.where(not(isTrain)).select(selected).mapPartitions(toExamples, Encoders.row(exampleSchema));
    if (validation != null && validation.isEmpty()) {
      throw new IllegalArgumentException("No validation row (column '" + p.getValidationIndicatorCol() + "') has a "
          + "user and an item with training ratings, so none can be scored to monitor training; mark other rows "
          + "or leave validationIndicatorCol empty.");
    }
    ExampleColumns columns = new ExampleColumns(FEATURE_IDS, null, LABEL, weighted ? WEIGHT : null);
    return new RatingData(users, items, globalMean, train, validation,
        binaryLabels ? columns : columns.withRealValuedLabels());
  }

  private static Column isInfinite(Column x) {
    return x.equalTo(lit(Double.POSITIVE_INFINITY)).or(x.equalTo(lit(Double.NEGATIVE_INFINITY)));
  }

  private static void requireNoNulls(Dataset<Row> data, long nulls, String column, CollaborativeFiltering<?, ?> p) {
    if (nulls > 0) {
      throw new IllegalArgumentException("Column '" + column + "' must hold an id in every row, but " + nulls
          + " rows hold null, e.g. " + example(data, col(column).isNull(), p) + ".");
    }
  }

  private static void requireIntRange(long min, long max, String column) {
    if (min < Integer.MIN_VALUE || max > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("Column '" + column + "' holds id " + (min < Integer.MIN_VALUE ? min : max)
          + ", outside the int range [" + Integer.MIN_VALUE + ", " + Integer.MAX_VALUE + "]; ids must fit an int "
          + "(re-index them, e.g. with StringIndexer).");
    }
  }

  /** The first row matching {@code condition}, as "(user 3, item 7, rating NaN[, weight w])". */
  private static String example(Dataset<Row> data, Column condition, CollaborativeFiltering<?, ?> p) {
    List<String> names = new ArrayList<>(List.of(p.getUserCol(), p.getItemCol(), p.getRatingCol()));
    if (!p.getWeightCol().isEmpty()) {
      names.add(p.getWeightCol());
    }
    Row row = data.where(condition).select(names.stream().map(Column::new).toArray(Column[]::new)).first();
    StringBuilder out = new StringBuilder("the row (");
    for (int i = 0; i < names.size(); i++) {
      out.append(i == 0 ? "" : ", ").append(names.get(i)).append(' ').append(row.get(i));
    }
    return out.append(')').toString();
  }

  /**
   * The distinct ints of column {@code column} of {@code rows}, sorted ascending: each partition sends its own as one
   * primitive array, which the driver merges, so the driver holds 4 bytes per id and no boxed values.
   */
  private static int[] distinctSorted(Dataset<Row> rows, int column) {
    List<int[]> parts = rows.javaRDD().mapPartitions(it -> {
      int[] ids = new int[1024];
      int n = 0;
      while (it.hasNext()) {
        if (n == ids.length) {
          ids = Arrays.copyOf(ids, 2 * n);
        }
        ids[n++] = it.next().getInt(column);
      }
      return List.of(distinctSorted(ids, n)).iterator();
    }).collect();
    int total = 0;
    for (int[] part : parts) {
      total += part.length;
    }
    int[] all = new int[total];
    int at = 0;
    for (int[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return distinctSorted(all, total);
  }

  /** The distinct values of {@code ids[0..n)}, sorted ascending (sorts {@code ids} in place). */
  private static int[] distinctSorted(int[] ids, int n) {
    Arrays.sort(ids, 0, n);
    int unique = 0;
    for (int i = 0; i < n; i++) {
      if (unique == 0 || ids[i] != ids[unique - 1]) {
        ids[unique++] = ids[i];
      }
    }
    return Arrays.copyOf(ids, unique);
  }

  IdIndex users() {
    return users;
  }

  IdIndex items() {
    return items;
  }

  /** The weighted mean rating of the training rows. */
  double globalMean() {
    return globalMean;
  }

  /** Training examples: {@code featureIds}, {@code label}, [{@code weight}]. */
  Dataset<Row> train() {
    return train;
  }

  /** Validation examples in the same form, or null without a validation indicator. */
  Dataset<Row> validation() {
    return validation;
  }

  /** How the trainer reads the examples. */
  ExampleColumns columns() {
    return columns;
  }

  /**
   * (user, item, rating[, weight]) as longs and doubles → examples; rows with an unseen user or item are skipped.
   * {@code ids} holds the user and the item index.
   */
  private static final class ToExamples implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<IdIndex[]> ids;

    ToExamples(Broadcast<IdIndex[]> ids) {
      this.ids = ids;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      IdIndex users = ids.value()[0];
      IdIndex items = ids.value()[1];
      int numUsers = users.size();
      return new Iterator<>() {
        private Row next = advance();

        private Row advance() {
          while (rows.hasNext()) {
            Row row = rows.next();
            int user = users.indexOf(row.getLong(0));
            int item = items.indexOf(row.getLong(1));
            if (user >= 0 && item >= 0) {
              // [userIndex, numUsers + itemIndex], as the Scala Seq that Spark's row encoder takes for an array
              Object ids = scala.Predef.wrapIntArray(new int[] {user, numUsers + item});
              return row.size() == 4 ? RowFactory.create(ids, row.getDouble(2), row.getDouble(3))
                  : RowFactory.create(ids, row.getDouble(2));
            }
          }
          return null;
        }

        @Override
        public boolean hasNext() {
          return next != null;
        }

        @Override
        public Row next() {
          if (next == null) {
            throw new java.util.NoSuchElementException();
          }
          Row out = next;
          next = advance();
          return out;
        }
      };
    }
  }
}
