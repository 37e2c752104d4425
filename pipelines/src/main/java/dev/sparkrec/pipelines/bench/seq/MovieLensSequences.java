package dev.sparkrec.pipelines.bench.seq;

import static org.apache.spark.sql.functions.col;

import dev.sparkrec.data.MovieLensReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * MovieLens-100K as click prediction with behaviour histories: one row per target rating, labelled 1 when the rating
 * is at least {@value #POSITIVE_RATING} stars, with the target's ids and the user's whole earlier feedback.
 *
 * <p><b>Ids</b>: users and items get dense 0-based ids in ascending order of their {@code u.data} ids; with
 * {@code U} users and {@code I} items, one id space of {@code U + 3I} holds the user {@code u} as {@code u}, the
 * target item {@code i} as {@code U + i}, and as history events "liked {@code i}" ({@code U + I + i}) and "did not
 * like {@code i}" ({@code U + 2I + i}). A row's {@code featureIds} are {@code [u, U + i]} (fields user and item).
 *
 * <p><b>Targets</b>: a user's ratings in time order (timestamp, ties by item id); the last
 * {@value #TEST_PER_USER} are test targets, the {@value #VALIDATION_PER_USER} before them validation targets, and
 * of the earlier ones at most {@value #TRAIN_PER_USER} are training targets: a uniform sample without replacement
 * (selection sampling, kept in time order), drawn user by user in ascending user id from one generator seeded
 * {@value #TRAIN_SAMPLE_SEED}, so a user's sample does not depend on which other users are kept.
 *
 * <p><b>History</b>: every rating of the user before the target, oldest first, as liked / not-liked events, never
 * truncated; a test target's history holds the earlier test-period ratings too. The first rating's history is
 * empty.
 *
 * <p>With {@code maxUsers > 0} only the first {@code maxUsers} users of the user ids shuffled with seed
 * {@value #USER_SHUFFLE_SEED} (Fisher–Yates) are kept; the id space stays that of every user and item.
 */
final class MovieLensSequences {

  static final double POSITIVE_RATING = 4.0;
  static final int TEST_PER_USER = 10;
  static final int VALIDATION_PER_USER = 5;
  static final int TRAIN_PER_USER = 20;
  static final long TRAIN_SAMPLE_SEED = 17;
  static final long USER_SHUFFLE_SEED = 17;
  static final String TRAIN = "train";
  static final String VALIDATION = "validation";
  static final String TEST = "test";

  static final StructType SCHEMA = new StructType()
      .add("user", DataTypes.IntegerType, false)
      .add("split", DataTypes.StringType, false)
      .add("isValidation", DataTypes.BooleanType, false)
      .add("position", DataTypes.IntegerType, false)
      .add("label", DataTypes.DoubleType, false)
      .add("featureIds", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
      .add("history", DataTypes.createArrayType(DataTypes.IntegerType, false), false);

  private final Dataset<Row> rows;
  private final int numUsers;
  private final int numItems;
  private final int keptUsers;
  private final Map<String, Long> rowsPerSplit;
  private final long trainHistoryEvents;

  private MovieLensSequences(Dataset<Row> rows, int numUsers, int numItems, int keptUsers,
      Map<String, Long> rowsPerSplit, long trainHistoryEvents) {
    this.rows = rows;
    this.numUsers = numUsers;
    this.numItems = numItems;
    this.keptUsers = keptUsers;
    this.rowsPerSplit = rowsPerSplit;
    this.trainHistoryEvents = trainHistoryEvents;
  }

  /**
   * Reads {@code u.data} from {@code dir} and builds the target rows on the driver (100,000 ratings); with
   * {@code maxUsers > 0} only the first {@code maxUsers} users of the seeded shuffle are kept. The rows are cached.
   */
  static MovieLensSequences read(SparkSession spark, Path dir, int maxUsers) {
    List<Row> ratings = MovieLensReader.ratings100k(spark, dir.resolve("u.data").toString())
        .select("user", "item", "rating", "timestamp").collectAsList();
    int[] userIds = ratings.stream().mapToInt(r -> r.getInt(0)).distinct().sorted().toArray();
    int[] itemIds = ratings.stream().mapToInt(r -> r.getInt(1)).distinct().sorted().toArray();
    int numUsers = userIds.length;
    int numItems = itemIds.length;

    Map<Integer, List<Rating>> byUser = new TreeMap<>();
    for (Row r : ratings) {
      int item = Arrays.binarySearch(itemIds, r.getInt(1));
      byUser.computeIfAbsent(r.getInt(0), u -> new ArrayList<>())
          .add(new Rating(item, r.getFloat(2) >= POSITIVE_RATING, r.getLong(3)));
    }

    int[] shuffled = shuffle(userIds, USER_SHUFFLE_SEED);
    int kept = maxUsers > 0 ? Math.min(maxUsers, shuffled.length) : shuffled.length;
    boolean[] keep = new boolean[numUsers];
    for (int k = 0; k < kept; k++) {
      keep[Arrays.binarySearch(userIds, shuffled[k])] = true;
    }

    SplittableRandom sampler = new SplittableRandom(TRAIN_SAMPLE_SEED);
    List<Row> out = new ArrayList<>();
    Map<String, Long> rowsPerSplit = new LinkedHashMap<>();
    for (String split : new String[] {TRAIN, VALIDATION, TEST}) {
      rowsPerSplit.put(split, 0L);
    }
    long trainHistoryEvents = 0;
    for (Map.Entry<Integer, List<Rating>> entry : byUser.entrySet()) {
      List<Rating> timeline = entry.getValue();
      timeline.sort(Comparator.comparingLong(Rating::timestamp).thenComparingInt(Rating::item));
      int n = timeline.size();
      int firstValidation = n - TEST_PER_USER - VALIDATION_PER_USER;
      if (firstValidation < 0) {
        throw new IllegalStateException("user " + entry.getKey() + " has " + n + " ratings; this protocol needs at "
            + "least " + (TEST_PER_USER + VALIDATION_PER_USER) + " per user (each MovieLens-100K user has 20 or more)");
      }
      // the sample is drawn for every user, kept or not, so that a user's training targets do not depend on --quick
      int[] trainTargets = sampleInOrder(firstValidation, TRAIN_PER_USER, sampler);
      int user = Arrays.binarySearch(userIds, entry.getKey());
      if (!keep[user]) {
        continue;
      }
      int[] events = new int[n];
      for (int t = 0; t < n; t++) {
        Rating r = timeline.get(t);
        events[t] = numUsers + numItems * (r.liked() ? 1 : 2) + r.item();
      }
      for (int t : trainTargets) {
        out.add(row(entry.getKey(), TRAIN, t, timeline.get(t), user, numUsers, events));
        trainHistoryEvents += t;
      }
      for (int t = firstValidation; t < n; t++) {
        out.add(row(entry.getKey(), t < n - TEST_PER_USER ? VALIDATION : TEST, t, timeline.get(t), user, numUsers,
            events));
      }
      rowsPerSplit.merge(TRAIN, (long) trainTargets.length, Long::sum);
      rowsPerSplit.merge(VALIDATION, (long) VALIDATION_PER_USER, Long::sum);
      rowsPerSplit.merge(TEST, (long) TEST_PER_USER, Long::sum);
    }

    int partitions = Math.max(1, spark.sparkContext().defaultParallelism());
    Dataset<Row> rows = spark.createDataFrame(out, SCHEMA).repartition(partitions).cache();
    rows.count();
    return new MovieLensSequences(rows, numUsers, numItems, kept, rowsPerSplit, trainHistoryEvents);
  }

  /** One rating on the timeline of a user: dense item id, whether it was liked, when. */
  private record Rating(int item, boolean liked, long timestamp) {}

  /** The target at {@code position} of the user's timeline, its history the events before it. */
  private static Row row(int rawUser, String split, int position, Rating target, int user, int numUsers,
      int[] events) {
    Integer[] history = new Integer[position];
    for (int t = 0; t < position; t++) {
      history[t] = events[t];
    }
    return RowFactory.create(rawUser, split, VALIDATION.equals(split), position, target.liked() ? 1.0 : 0.0,
        Arrays.asList(user, numUsers + target.item()), Arrays.asList(history));
  }

  /**
   * {@code min(k, m)} of the indices {@code 0..m-1}, each {@code k}-subset equally likely, in ascending order
   * (selection sampling, Knuth's Algorithm S: index {@code i} is taken with probability needed / remaining).
   */
  static int[] sampleInOrder(int m, int k, SplittableRandom random) {
    int[] out = new int[Math.min(k, m)];
    int taken = 0;
    for (int i = 0; i < m && taken < out.length; i++) {
      if (random.nextInt(m - i) < out.length - taken) {
        out[taken++] = i;
      }
    }
    return out;
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
   * Every row of {@link #SCHEMA}: {@code user} (the {@code u.data} id), {@code split} ("train", "validation",
   * "test"), {@code isValidation}, {@code position} (from 0 in time order within the user), {@code label} (0/1
   * double), {@code featureIds} ([user, item]) and {@code history} (liked / not-liked events, oldest first).
   */
  Dataset<Row> rows() {
    return rows;
  }

  /** The training and validation rows, validation rows flagged by {@code isValidation}. */
  Dataset<Row> fitRows() {
    return rows.where(col("split").notEqual(TEST));
  }

  /** The test rows. */
  Dataset<Row> testRows() {
    return rows.where(col("split").equalTo(TEST));
  }

  /** Size of the id space of {@code featureIds} and {@code history}: {@code U + 3I}. */
  int numFeatures() {
    return numUsers + 3 * numItems;
  }

  int numUsers() {
    return numUsers;
  }

  int numItems() {
    return numItems;
  }

  /** Users whose rows were built. */
  int keptUsers() {
    return keptUsers;
  }

  /** Rows of the split, "train", "validation" or "test". */
  long rows(String split) {
    return rowsPerSplit.get(split);
  }

  /** The summed history lengths of the training rows: the history events one training epoch reads. */
  long trainHistoryEvents() {
    return trainHistoryEvents;
  }
}
