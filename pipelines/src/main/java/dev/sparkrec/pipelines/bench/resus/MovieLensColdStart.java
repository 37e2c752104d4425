package dev.sparkrec.pipelines.bench.resus;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.year;

import dev.sparkrec.data.MovieLensReader;
import dev.sparkrec.features.FieldEncoder;
import dev.sparkrec.features.FieldEncoderModel;
import dev.sparkrec.train.Batch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * MovieLens-100K as binarised cold-start data: one row per rating, labelled 1 when the rating is at least
 * {@value #POSITIVE_RATING} stars, with six fields encoded by one {@link FieldEncoder} into {@code featureIds}: the
 * item, the user's gender, age bucket ({@link #ageBucket}, ML-1M's ranges) and occupation, the movie's first genre
 * and its release decade. The user id is not a feature: a user is known only through the fields above and, in
 * cold-start evaluation, through the support rows.
 *
 * <p>The genre is the movie's first listed genre in {@code u.genre} order (e.g. "Action" for an action comedy,
 * "none" when no flag is set), one id per movie as in RESUS's MovieLens data, where the multi-valued genre field
 * is reduced to one genre. The release decade is "1990s" and so on, "unknown" when {@code u.item} has no release
 * date. The encoder is fitted on the training users' rows only, so an item that only validation or test users
 * rated maps to the item field's out-of-vocabulary id.
 *
 * <p>Users are split by id: the distinct user ids in ascending order, shuffled with seed {@value #SPLIT_SEED}
 * (Fisher–Yates), the first 70% train, the next 10% validation, the rest test. Within a user, rows are in time
 * order (timestamp, ties by item id) and numbered from 0 in {@code position}; a user's first {@code i} rows are
 * the support of support size {@code i}.
 */
final class MovieLensColdStart {

  static final String[] FIELDS = {"item", "gender", "ageBucket", "occupation", "genre", "releaseDecade"};
  static final double POSITIVE_RATING = 4.0;
  static final long SPLIT_SEED = 17;
  static final double TRAIN_FRACTION = 0.7;
  static final double VALIDATION_FRACTION = 0.1;
  static final String TRAIN = "train";
  static final String VALIDATION = "validation";
  static final String TEST = "test";
  /** The multiplier of the user id in an episode id: episode {@code user·100 + i}. */
  static final int EPISODE_KEY = 100;

  private final Dataset<Row> rows;
  private final int numFeatures;
  private final int[] usersPerSplit;

  private MovieLensColdStart(Dataset<Row> rows, int numFeatures, int[] usersPerSplit) {
    this.rows = rows;
    this.numFeatures = numFeatures;
    this.usersPerSplit = usersPerSplit;
  }

  /**
   * Reads {@code u.data}, {@code u.user} and {@code u.item} from {@code dir}; with {@code maxUsers > 0} only the
   * first {@code maxUsers} users of the seeded shuffle are kept (and then split 70/10/20). The rows are cached.
   */
  static MovieLensColdStart read(SparkSession spark, Path dir, int maxUsers) {
    Dataset<Row> ratings = MovieLensReader.ratings100k(spark, dir.resolve("u.data").toString());
    Dataset<Row> users = MovieLensReader.users100k(spark, dir.resolve("u.user").toString());
    Dataset<Row> items = MovieLensReader.items100k(spark, dir.resolve("u.item").toString());

    int[] userIds = ratings.select("user").distinct().orderBy("user").collectAsList().stream()
        .mapToInt(r -> r.getInt(0)).toArray();
    int[] shuffled = shuffle(userIds, SPLIT_SEED);
    int kept = maxUsers > 0 ? Math.min(maxUsers, shuffled.length) : shuffled.length;
    int trainUsers = (int) Math.round(kept * TRAIN_FRACTION);
    int validationUsers = (int) Math.round(kept * VALIDATION_FRACTION);
    List<Row> assignment = new ArrayList<>(kept);
    for (int k = 0; k < kept; k++) {
      String split = k < trainUsers ? TRAIN : k < trainUsers + validationUsers ? VALIDATION : TEST;
      assignment.add(RowFactory.create(shuffled[k], split));
    }
    Dataset<Row> splits = spark.createDataFrame(assignment, new StructType()
        .add("user", DataTypes.IntegerType, false).add("split", DataTypes.StringType, false));

    Column decade = floor(year(col("releaseDate")).divide(10)).multiply(10).cast("int");
    Dataset<Row> movies = items.select(col("item"),
        when(size(col("genres")).gt(0), element_at(col("genres"), 1)).otherwise(lit("none")).as("genre"),
        when(col("releaseDate").isNull(), lit("unknown")).otherwise(concat(decade.cast("string"), lit("s")))
            .as("releaseDecade"));
    Dataset<Row> people = users.select(col("user"), col("gender"), ageBucket(col("age")).as("ageBucket"),
        col("occupation"));
    Dataset<Row> joined = ratings.join(splits, "user").join(people, "user").join(movies, "item")
        .withColumn("label", when(col("rating").geq(POSITIVE_RATING), 1.0).otherwise(0.0))
        .withColumn("position", row_number().over(Window.partitionBy("user").orderBy("timestamp", "item")).minus(1))
        .withColumn("isValidation", col("split").equalTo(VALIDATION));

    FieldEncoderModel encoder = new FieldEncoder().setInputCols(FIELDS).setFeatureIdsCol("featureIds")
        .setFeatureValuesCol("featureValues").fit(joined.where(col("split").equalTo(TRAIN)));
    int partitions = Math.max(1, spark.sparkContext().defaultParallelism());
    Dataset<Row> encoded = encoder.transform(joined)
        .select("user", "split", "isValidation", "position", "timestamp", "item", "label", "featureIds")
        .repartition(partitions).cache();
    encoded.count();
    return new MovieLensColdStart(encoded, encoder.numFeatures(),
        new int[] {trainUsers, validationUsers, kept - trainUsers - validationUsers});
  }

  /**
   * ML-1M's age ranges on ML-100K's ages in years: "<18", "18-24", "25-34", "35-44", "45-49", "50-55", "56+".
   */
  static Column ageBucket(Column age) {
    return when(age.lt(18), "<18").when(age.lt(25), "18-24").when(age.lt(35), "25-34").when(age.lt(45), "35-44")
        .when(age.lt(50), "45-49").when(age.lt(56), "50-55").otherwise("56+");
  }

  /** {@code ids} in a Fisher–Yates shuffle seeded with {@code seed}; the input is left as it is. */
  static int[] shuffle(int[] ids, long seed) {
    int[] out = Arrays.copyOf(ids, ids.length);
    SplittableRandom random = new SplittableRandom(seed);
    for (int k = out.length - 1; k > 0; k--) {
      int j = random.nextInt(k + 1);
      int t = out[k];
      out[k] = out[j];
      out[j] = t;
    }
    return out;
  }

  /**
   * Every row: {@code user}, {@code split} ("train", "validation", "test"), {@code isValidation},
   * {@code position} (from 0 in time order within the user), {@code timestamp}, {@code item}, {@code label} (0/1
   * double) and {@code featureIds} (array&lt;int&gt;, one id per field of {@link #FIELDS}).
   */
  Dataset<Row> rows() {
    return rows;
  }

  /** The rows of one split's users. */
  Dataset<Row> split(String split) {
    return rows.where(col("split").equalTo(split));
  }

  /** The training and validation users' rows, validation users flagged by {@code isValidation}. */
  Dataset<Row> fitRows() {
    return rows.where(col("split").notEqual(TEST));
  }

  /** Size of the feature-id space of {@code featureIds}. */
  int numFeatures() {
    return numFeatures;
  }

  /** Users in the train, validation and test splits. */
  int[] usersPerSplit() {
    return usersPerSplit.clone();
  }

  /**
   * The episodes of support sizes {@code 1..maxSupport} of the users in {@code users} as two tables keyed by an
   * episode id in {@code user} ({@code user·100 + i}), with the real user in {@code person} and the support size in
   * {@code supportSize}: the support (the user's first {@code i} rows) and the query (the user's other rows).
   */
  static Episodes episodes(Dataset<Row> users, int maxSupport) {
    if (maxSupport >= EPISODE_KEY) {
      throw new IllegalArgumentException("episode ids hold support sizes below " + EPISODE_KEY + ", got "
          + maxSupport);
    }
    SparkSession spark = users.sparkSession();
    List<Row> sizes = new ArrayList<>();
    for (int i = 1; i <= maxSupport; i++) {
      sizes.add(RowFactory.create(i));
    }
    Dataset<Row> supportSizes = spark.createDataFrame(sizes,
        new StructType().add("supportSize", DataTypes.IntegerType, false));
    Dataset<Row> all = users.crossJoin(supportSizes)
        .withColumn("person", col("user"))
        .withColumn("user", col("user").multiply(EPISODE_KEY).plus(col("supportSize")));
    return new Episodes(all.where(col("position").lt(col("supportSize"))),
        all.where(col("position").geq(col("supportSize"))));
  }

  /** Support and query rows of cold-start episodes, keyed by episode in {@code user}. */
  record Episodes(Dataset<Row> support, Dataset<Row> query) {}

  /** The rows of one split's users collected to the driver, user by user in time order. */
  List<UserRows> collect(String split) {
    List<Row> collected = new ArrayList<>(split(split).select("user", "position", "label", "featureIds")
        .collectAsList());
    collected.sort(Comparator.<Row>comparingInt(r -> r.getInt(0)).thenComparingInt(r -> r.getInt(1)));
    List<UserRows> out = new ArrayList<>();
    int from = 0;
    while (from < collected.size()) {
      int user = collected.get(from).getInt(0);
      int to = from;
      while (to < collected.size() && collected.get(to).getInt(0) == user) {
        to++;
      }
      out.add(UserRows.of(user, collected.subList(from, to), FIELDS.length));
      from = to;
    }
    return out;
  }

  /** One user's rows in time order: feature ids (row-major, {@code fields} per row) and labels. */
  record UserRows(int user, int fields, int[] ids, float[] labels) {

    static UserRows of(int user, List<Row> rows, int fields) {
      int[] ids = new int[rows.size() * fields];
      float[] labels = new float[rows.size()];
      for (int r = 0; r < rows.size(); r++) {
        Row row = rows.get(r);
        if (row.getInt(1) != r) {
          throw new IllegalStateException("user " + user + " has row position " + row.getInt(1) + " at index " + r);
        }
        labels[r] = (float) row.getDouble(2);
        List<Integer> rowIds = row.getList(3);
        for (int f = 0; f < fields; f++) {
          ids[r * fields + f] = rowIds.get(f);
        }
      }
      return new UserRows(user, fields, ids, labels);
    }

    int size() {
      return labels.length;
    }

    /** Rows {@code [from, to)} as a batch (ids and labels copied; every value and weight 1). */
    Batch batch(int from, int to) {
      return Batch.of(fields, Arrays.copyOfRange(ids, from * fields, to * fields), null,
          Arrays.copyOfRange(labels, from, to), null);
    }
  }
}
