package dev.sparkrec.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleDataWriterTest {

  private static final List<String> FILES = List.of(SampleData.COLD_START_FILE, SampleData.CTR_TEST_FILE,
      SampleData.CTR_TRAIN_FILE, SampleData.RATINGS_FILE);

  @TempDir
  static Path tempDir;

  private static Path first;

  private static SparkSession spark() {
    return SparkTestSession.get();
  }

  @BeforeAll
  static void writeOnce() {
    first = tempDir.resolve("first");
    SampleDataWriter.writeAll(spark(), first);
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new))
          .stream().collect(Collectors.toList());
    }
  }

  @Test
  void writesExactlyTheFourFilesWithinTheSizeBudget() throws IOException {
    assertEquals(FILES, listing(first), "no staging files are left behind");
    long total = 0;
    for (String name : FILES) {
      byte[] bytes = Files.readAllBytes(first.resolve(name));
      assertEquals(0x1f, bytes[0] & 0xff, name + " is gzip");
      assertEquals(0x8b, bytes[1] & 0xff, name + " is gzip");
      total += bytes.length;
    }
    assertTrue(total <= 5_000_000, "total bytes " + total);
  }

  @Test
  void writingAgainGivesIdenticalBytes() throws IOException {
    Path second = tempDir.resolve("second");
    SampleDataWriter.writeAll(spark(), second);
    assertEquals(FILES, listing(second));
    for (String name : FILES) {
      assertArrayEquals(Files.readAllBytes(first.resolve(name)), Files.readAllBytes(second.resolve(name)), name);
    }
  }

  private static void assertSameColumns(StructType expected, StructType actual) {
    assertEquals(expected.length(), actual.length());
    for (int i = 0; i < expected.length(); i++) {
      StructField e = expected.fields()[i];
      StructField a = actual.fields()[i];
      assertEquals(e.name(), a.name());
      assertEquals(e.dataType(), a.dataType(), e.name());
    }
  }

  @Test
  void readersReturnTheGeneratedRows() {
    Dataset<Row> train = SampleData.ctrTrain(spark(), first);
    assertSameColumns(SampleData.CTR_SCHEMA, train.schema());
    assertEquals(List.of("rowId", "label", "C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "I0", "I1"),
        List.of(train.columns()));
    List<Row> expectedTrain = SampleDataWriter.roundNumeric(SampleData.CTR_TRAIN.generate(spark()), 2)
        .collectAsList();
    assertEquals(expectedTrain, train.collectAsList());

    Dataset<Row> test = SampleData.ctrTest(spark(), first.toString());
    assertEquals(10_000L, test.count());
    assertEquals(40_000L, test.agg(org.apache.spark.sql.functions.min("rowId")).first().getLong(0));

    Dataset<Row> ratings = SampleData.ratings(spark(), first);
    assertSameColumns(SampleData.RATINGS_SCHEMA, ratings.schema());
    assertEquals(SampleData.RATINGS.generate(spark()).collectAsList(), ratings.collectAsList());

    Dataset<Row> coldStart = SampleData.coldStart(spark(), first);
    assertSameColumns(SampleData.COLD_START_SCHEMA, coldStart.schema());
    assertEquals(SampleData.COLD_START.generate(spark()).collectAsList(), coldStart.collectAsList());
  }

  @Test
  void aFileWhoseHeaderDoesNotMatchTheSchemaIsRejected() throws IOException {
    Path other = tempDir.resolve("other");
    Files.createDirectories(other);
    // A ratings file with the columns in another order.
    try (java.io.OutputStream out = new java.util.zip.GZIPOutputStream(
        Files.newOutputStream(other.resolve(SampleData.RATINGS_FILE)))) {
      out.write("item,user,rating\n1,2,3.0\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    Throwable thrown = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> SampleData.ratings(spark(), other).collectAsList());
    StringBuilder messages = new StringBuilder();
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append('\n');
    }
    assertTrue(messages.toString().contains("CSV header does not conform to the schema"), messages.toString());
  }
}
