package dev.sparkrec.data;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the GroupLens MovieLens files of ML-100K ({@code u.data}, {@code u.user},
 * {@code u.item}, {@code u.genre}) and ML-1M ({@code ratings.dat}, {@code users.dat},
 * {@code movies.dat}) into typed DataFrames.
 *
 * <p>ML-100K separates fields with a tab ({@code u.data}) or {@code |}; ML-1M with {@code ::}.
 * Text is decoded as ISO-8859-1 (Latin-1), the files' encoding, so titles such as
 * "Mis&eacute;rables, Les (1995)" come out right. Parsing runs on the executors; a line with
 * the wrong number of fields or a bad number fails naming the file, the line and the column.
 * Blank lines are skipped.
 */
public final class MovieLensReader {

  /**
   * Ratings ({@code u.data}, {@code u*.base/test}, {@code ratings.dat}): {@code user} int,
   * {@code item} int, {@code rating} float (1 to 5 stars), {@code timestamp} long (Unix seconds);
   * none nullable.
   */
  public static final StructType RATINGS_SCHEMA = new StructType()
      .add("user", DataTypes.IntegerType, false)
      .add("item", DataTypes.IntegerType, false)
      .add("rating", DataTypes.FloatType, false)
      .add("timestamp", DataTypes.LongType, false);

  /**
   * ML-100K users ({@code u.user}): {@code user} int, {@code age} int (years), {@code gender}
   * string ("M"/"F"), {@code occupation} string (a name from {@code u.occupation}),
   * {@code zip} string (not always numeric); none nullable.
   */
  public static final StructType USERS_100K_SCHEMA = new StructType()
      .add("user", DataTypes.IntegerType, false)
      .add("age", DataTypes.IntegerType, false)
      .add("gender", DataTypes.StringType, false)
      .add("occupation", DataTypes.StringType, false)
      .add("zip", DataTypes.StringType, false);

  /**
   * ML-1M users ({@code users.dat}): {@code user} int, {@code gender} string ("M"/"F"),
   * {@code ageGroup} int (the lower bound of the age range: 1 = under 18, 18, 25, 35, 45, 50,
   * 56 = 56+), {@code occupationId} int (0 to 20, names in the ML-1M README), {@code zip}
   * string; none nullable.
   */
  public static final StructType USERS_1M_SCHEMA = new StructType()
      .add("user", DataTypes.IntegerType, false)
      .add("gender", DataTypes.StringType, false)
      .add("ageGroup", DataTypes.IntegerType, false)
      .add("occupationId", DataTypes.IntegerType, false)
      .add("zip", DataTypes.StringType, false);

  /**
   * ML-100K items ({@code u.item}): {@code item} int, {@code title} string,
   * {@code releaseDate} date (null when empty), {@code videoReleaseDate} date (null when
   * empty; always empty in ML-100K), {@code imdbUrl} string (null when empty), {@code genres}
   * array&lt;string&gt; (the names, from {@code u.genre}, of the genre flags set to 1, in
   * {@code u.genre} order).
   */
  public static final StructType ITEMS_100K_SCHEMA = new StructType()
      .add("item", DataTypes.IntegerType, false)
      .add("title", DataTypes.StringType, false)
      .add("releaseDate", DataTypes.DateType, true)
      .add("videoReleaseDate", DataTypes.DateType, true)
      .add("imdbUrl", DataTypes.StringType, true)
      .add("genres", DataTypes.createArrayType(DataTypes.StringType, false), false);

  /**
   * ML-1M movies ({@code movies.dat}): {@code item} int, {@code title} string, {@code genres}
   * array&lt;string&gt; (the {@code |}-separated genre names, in file order); none nullable.
   */
  public static final StructType MOVIES_1M_SCHEMA = new StructType()
      .add("item", DataTypes.IntegerType, false)
      .add("title", DataTypes.StringType, false)
      .add("genres", DataTypes.createArrayType(DataTypes.StringType, false), false);

  private static final Charset LATIN_1 = StandardCharsets.ISO_8859_1;

  private MovieLensReader() {}

  /** ML-100K ratings: tab-separated {@code user item rating timestamp} ({@code u.data}, {@code u1.base}, ...). */
  public static Dataset<Row> ratings100k(SparkSession spark, String path) {
    return TextLineSource.parse(spark, path, LATIN_1, new RatingsLineParser("\t"), RATINGS_SCHEMA);
  }

  /** ML-1M ratings: {@code UserID::MovieID::Rating::Timestamp} ({@code ratings.dat}). */
  public static Dataset<Row> ratings1m(SparkSession spark, String path) {
    return TextLineSource.parse(spark, path, LATIN_1, new RatingsLineParser("::"), RATINGS_SCHEMA);
  }

  /** ML-100K users: {@code user id|age|gender|occupation|zip code} ({@code u.user}). */
  public static Dataset<Row> users100k(SparkSession spark, String path) {
    return TextLineSource.parse(spark, path, LATIN_1, new Users100kLineParser(), USERS_100K_SCHEMA);
  }

  /** ML-1M users: {@code UserID::Gender::Age::Occupation::Zip-code} ({@code users.dat}). */
  public static Dataset<Row> users1m(SparkSession spark, String path) {
    return TextLineSource.parse(spark, path, LATIN_1, new Users1mLineParser(), USERS_1M_SCHEMA);
  }

  /**
   * ML-100K items ({@code u.item}), with genre names taken from the {@code u.genre} file in the
   * same folder.
   */
  public static Dataset<Row> items100k(SparkSession spark, String itemPath) {
    Path genrePath = new Path(new Path(itemPath).getParent(), "u.genre");
    return items100k(spark, itemPath, genres100k(spark, genrePath.toString()));
  }

  /**
   * ML-100K items ({@code u.item}): {@code movie id|title|release date|video release date|IMDb
   * URL|} followed by one 0/1 flag per genre of {@code genreNames}, in order.
   */
  public static Dataset<Row> items100k(SparkSession spark, String itemPath, List<String> genreNames) {
    return TextLineSource.parse(spark, itemPath, LATIN_1,
        new Items100kLineParser(genreNames.toArray(new String[0])), ITEMS_100K_SCHEMA);
  }

  /**
   * The ML-100K genre names of {@code u.genre} ({@code name|index} lines), ordered by index;
   * read on the driver (the file has 19 lines). Fails unless the indices are 0..n-1.
   */
  public static List<String> genres100k(SparkSession spark, String genrePath) {
    List<Row> rows = TextLineSource.parse(spark, genrePath, LATIN_1, new GenreLineParser(),
        new StructType().add("name", DataTypes.StringType, false).add("index", DataTypes.IntegerType, false))
        .collectAsList();
    TreeMap<Integer, String> byIndex = new TreeMap<>();
    for (Row row : rows) {
      byIndex.put(row.getInt(1), row.getString(0));
    }
    if (byIndex.isEmpty() || byIndex.firstKey() != 0 || byIndex.lastKey() != rows.size() - 1
        || byIndex.size() != rows.size()) {
      throw new IllegalArgumentException("Genre file " + genrePath + " must number its genres 0.." + (rows.size() - 1)
          + " once each but has indices " + byIndex.keySet() + ".");
    }
    return new ArrayList<>(byIndex.values());
  }

  /** Movies of ML-1M: {@code MovieID::Title::Genres}, genres {@code |}-separated ({@code movies.dat}). */
  public static Dataset<Row> movies1m(SparkSession spark, String path) {
    return TextLineSource.parse(spark, path, LATIN_1, new Movies1mLineParser(), MOVIES_1M_SCHEMA);
  }

  // ---- line parsers (static, serializable) ----

  static String[] split(String line, String separator, int expected, String layout) {
    String[] fields = line.split(Pattern.quote(separator), -1);
    if (fields.length != expected) {
      throw new IllegalArgumentException("Expected " + expected + " '" + separator.replace("\t", "\\t")
          + "'-separated fields (" + layout + ") but found " + fields.length + ".");
    }
    return fields;
  }

  static int parseInt(String value, String column) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Column '" + column + "' has value '" + value + "' but must be an integer.");
    }
  }

  static final class RatingsLineParser implements LineParser {

    private final String separator;

    RatingsLineParser(String separator) {
      this.separator = separator;
    }

    @Override
    public Row parse(String line) {
      String[] f = split(line, separator, 4, "user, item, rating, timestamp");
      float rating;
      try {
        rating = Float.parseFloat(f[2].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Column 'rating' has value '" + f[2] + "' but must be a number.");
      }
      long timestamp;
      try {
        timestamp = Long.parseLong(f[3].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Column 'timestamp' has value '" + f[3] + "' but must be an integer.");
      }
      return RowFactory.create(parseInt(f[0], "user"), parseInt(f[1], "item"), rating, timestamp);
    }
  }

  static final class Users100kLineParser implements LineParser {
    @Override
    public Row parse(String line) {
      String[] f = split(line, "|", 5, "user, age, gender, occupation, zip");
      return RowFactory.create(parseInt(f[0], "user"), parseInt(f[1], "age"), f[2], f[3], f[4]);
    }
  }

  static final class Users1mLineParser implements LineParser {
    @Override
    public Row parse(String line) {
      String[] f = split(line, "::", 5, "user, gender, age group, occupation, zip");
      return RowFactory.create(parseInt(f[0], "user"), f[1], parseInt(f[2], "ageGroup"),
          parseInt(f[3], "occupationId"), f[4]);
    }
  }

  static final class GenreLineParser implements LineParser {
    @Override
    public Row parse(String line) {
      String[] f = split(line, "|", 2, "genre name, index");
      return RowFactory.create(f[0], parseInt(f[1], "index"));
    }
  }

  static final class Items100kLineParser implements LineParser {

    private static final int FIXED_FIELDS = 5;
    private static final DateTimeFormatter DATE_FORMAT = DateTimeFormatter.ofPattern("d-MMM-yyyy", Locale.US);
    private final String[] genreNames;

    Items100kLineParser(String[] genreNames) {
      this.genreNames = genreNames;
    }

    @Override
    public Row parse(String line) {
      String[] f = split(line, "|", FIXED_FIELDS + genreNames.length,
          "item, title, release date, video release date, IMDb URL, " + genreNames.length + " genre flags");
      List<String> genres = new ArrayList<>();
      for (int g = 0; g < genreNames.length; g++) {
        String flag = f[FIXED_FIELDS + g];
        if (flag.equals("1")) {
          genres.add(genreNames[g]);
        } else if (!flag.equals("0")) {
          throw new IllegalArgumentException("Genre flag '" + genreNames[g] + "' has value '" + flag
              + "' but must be 0 or 1.");
        }
      }
      return RowFactory.create(parseInt(f[0], "item"), f[1], parseDate(f[2], "releaseDate"),
          parseDate(f[3], "videoReleaseDate"), f[4].isEmpty() ? null : f[4], genres.toArray(new String[0]));
    }

    /** ML-100K dates look like {@code 01-Jan-1995} (one item has {@code 4-Feb-1971}); an empty field is null. */
    private static java.sql.Date parseDate(String value, String column) {
      if (value.isEmpty()) {
        return null;
      }
      try {
        return java.sql.Date.valueOf(LocalDate.parse(value, DATE_FORMAT));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("Column '" + column + "' has value '" + value
            + "' but must be a date like 01-Jan-1995 or empty.");
      }
    }
  }

  static final class Movies1mLineParser implements LineParser {
    @Override
    public Row parse(String line) {
      String[] f = split(line, "::", 3, "item, title, genres");
      String[] genres = f[2].isEmpty() ? new String[0] : f[2].split(Pattern.quote("|"), -1);
      return RowFactory.create(parseInt(f[0], "item"), f[1], genres);
    }
  }
}
