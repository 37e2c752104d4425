package dev.sparkrec.data;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.RealData;
import dev.sparkrec.testing.SparkTestSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MovieLensReaderTest {

  @TempDir
  Path tempDir;

  private static SparkSession spark() {
    return SparkTestSession.get();
  }

  private static String file(String relative) {
    return SparkTestSession.dataFile(relative).toString();
  }

  @Test
  @RealData
  void ml100kRatingsHaveTheOfficialCounts() {
    Dataset<Row> ratings = MovieLensReader.ratings100k(spark(), file("movielens-100k/u.data"));
    assertEquals(MovieLensReader.RATINGS_SCHEMA, ratings.schema());
    Row s = ratings.selectExpr("count(*)", "count(distinct user)", "count(distinct item)",
        "min(rating)", "max(rating)").first();
    assertEquals(100_000L, s.getLong(0));
    assertEquals(943L, s.getLong(1));
    assertEquals(1_682L, s.getLong(2));
    assertEquals(1.0f, s.getFloat(3));
    assertEquals(5.0f, s.getFloat(4));
    // First line of u.data: 196 242 3 881250949
    Row first = ratings.first();
    assertEquals(196, first.getInt(0));
    assertEquals(242, first.getInt(1));
    assertEquals(3.0f, first.getFloat(2));
    assertEquals(881_250_949L, first.getLong(3));
  }

  @Test
  @RealData
  void ml100kUsers() {
    Dataset<Row> users = MovieLensReader.users100k(spark(), file("movielens-100k/u.user"));
    assertEquals(MovieLensReader.USERS_100K_SCHEMA, users.schema());
    assertEquals(943L, users.count());
    // 1|24|M|technician|85711
    Row first = users.first();
    assertEquals(1, first.getInt(0));
    assertEquals(24, first.getInt(1));
    assertEquals("M", first.getString(2));
    assertEquals("technician", first.getString(3));
    assertEquals("85711", first.getString(4));
  }

  @Test
  @RealData
  void ml100kItemsDecodeLatin1AndNameTheGenres() {
    List<String> genres = MovieLensReader.genres100k(spark(), file("movielens-100k/u.genre"));
    assertEquals(19, genres.size());
    assertEquals("unknown", genres.get(0));
    assertEquals("Western", genres.get(18));

    Dataset<Row> items = MovieLensReader.items100k(spark(), file("movielens-100k/u.item"));
    assertEquals(MovieLensReader.ITEMS_100K_SCHEMA, items.schema());
    assertEquals(1_682L, items.count());
    Row toyStory = items.where(col("item").equalTo(1)).first();
    assertEquals("Toy Story (1995)", toyStory.getString(1));
    assertEquals(java.sql.Date.valueOf(LocalDate.of(1995, 1, 1)), toyStory.getDate(2));
    assertNull(toyStory.get(3));
    assertEquals("http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)", toyStory.getString(4));
    assertEquals(List.of("Animation", "Children's", "Comedy"), toyStory.getList(5));
    // 543|Mis\u00e9rables, Les (1995)|... Latin-1 byte 0xE9.
    Row miserables = items.where(col("item").equalTo(543)).first();
    assertEquals("Mis\u00e9rables, Les (1995)", miserables.getString(1));
    assertEquals(List.of("Drama", "Musical"), miserables.getList(5));
    // 267|unknown||||1|0...: no dates, no URL, genre "unknown".
    Row unknown = items.where(col("item").equalTo(267)).first();
    assertNull(unknown.get(2));
    assertNull(unknown.get(4));
    assertEquals(List.of("unknown"), unknown.getList(5));
  }

  @Test
  @RealData
  void ml1mUsersAndMovies() {
    Dataset<Row> users = MovieLensReader.users1m(spark(), file("movielens-1m/users.dat"));
    assertEquals(MovieLensReader.USERS_1M_SCHEMA, users.schema());
    assertEquals(6_040L, users.count());
    // 1::F::1::10::48067
    Row first = users.first();
    assertEquals(1, first.getInt(0));
    assertEquals("F", first.getString(1));
    assertEquals(1, first.getInt(2));
    assertEquals(10, first.getInt(3));
    assertEquals("48067", first.getString(4));

    Dataset<Row> movies = MovieLensReader.movies1m(spark(), file("movielens-1m/movies.dat"));
    assertEquals(MovieLensReader.MOVIES_1M_SCHEMA, movies.schema());
    assertEquals(3_883L, movies.count());
    Row miserables = movies.where(col("item").equalTo(73)).first();
    assertEquals("Mis\u00e9rables, Les (1995)", miserables.getString(1));
    assertEquals(List.of("Drama", "Musical"), miserables.getList(2));
    Row cafe = movies.where(col("item").equalTo(582)).first();
    assertEquals("Metisse (Caf\u00e9 au Lait) (1993)", cafe.getString(1));
    assertEquals(List.of("Comedy"), cafe.getList(2));
  }

  @Test
  void ml1mRatingsFileWithCrlf() throws IOException {
    Path ratingsFile = tempDir.resolve("ratings.dat");
    Files.write(ratingsFile, "1::1193::5::978300760\r\n1::661::3::978302109\r\n2::1357::4::978298709\n"
        .getBytes(StandardCharsets.ISO_8859_1));
    List<Row> rows = MovieLensReader.ratings1m(spark(), ratingsFile.toString()).collectAsList();
    assertEquals(3, rows.size());
    assertEquals(1, rows.get(1).getInt(0));
    assertEquals(661, rows.get(1).getInt(1));
    assertEquals(3.0f, rows.get(1).getFloat(2));
    assertEquals(978_302_109L, rows.get(1).getLong(3));
    assertEquals(2, rows.get(2).getInt(0));
  }

  @Test
  void wrongFieldCountAndBadNumbersFail() throws IOException {
    Path ratingsFile = tempDir.resolve("bad.dat");
    Files.write(ratingsFile, "1::1193::5::978300760\n1::661::3\n".getBytes(StandardCharsets.ISO_8859_1));
    String message = Failures.readerError(() -> MovieLensReader.ratings1m(spark(), ratingsFile.toString()).count());
    assertTrue(message.contains("bad.dat, line 2: '1::661::3'"), message);
    assertTrue(message.contains("Expected 4 '::'-separated fields"), message);

    Path data = tempDir.resolve("u.data");
    Files.write(data, "1\t2\tfive\t3\n".getBytes(StandardCharsets.ISO_8859_1));
    message = Failures.readerError(() -> MovieLensReader.ratings100k(spark(), data.toString()).count());
    assertTrue(message.contains("Column 'rating' has value 'five'"), message);
  }
}
