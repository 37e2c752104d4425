package dev.sparkrec.data;

import static org.apache.spark.sql.functions.array_max;
import static org.apache.spark.sql.functions.array_min;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.RealData;
import dev.sparkrec.testing.SparkTestSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibFmReaderTest {

  @TempDir
  Path tempDir;

  private static SparkSession spark() {
    return SparkTestSession.get();
  }

  private static String frappe(String name) {
    return SparkTestSession.dataFile("frappe/nfm/" + name).toString();
  }

  /** Rows, positives, min id, max id, rows without exactly 10 ids. */
  private static Row summary(Dataset<Row> data) {
    return data.agg(
        count("*"),
        sum(col("label")),
        min(array_min(col("featureIds"))), max(array_max(col("featureIds"))),
        sum(when(size(col("featureIds")).notEqual(10), 1).otherwise(0)))
        .first();
  }

  @Test
  @RealData
  void frappeTestFileHasThePublishedCounts() {
    Dataset<Row> test = new LibFmReader().read(spark(), frappe("frappe.test.libfm"));
    assertEquals(LibFmReader.SCHEMA, test.schema());
    Row s = summary(test);
    assertEquals(28_860L, s.getLong(0));
    assertEquals(9_536.0, s.getDouble(1));
    assertTrue(s.getInt(2) >= 0, "smallest id " + s.get(2));
    assertTrue(s.getInt(3) <= 5381, "largest id " + s.get(3));
    assertEquals(0L, s.getLong(4));
    // Only 0 and 1 labels, and every value of the one-hot file is 1.
    assertEquals(2L, test.select("label").distinct().count());
    assertEquals(1L, test.select(explode(col("featureValues")).as("v")).distinct().count());
    assertEquals(1.0f, test.select(explode(col("featureValues")).as("v")).first().getFloat(0));
  }

  @Test
  @RealData
  void frappeFirstLineIsParsedExactly() {
    // First line of frappe.test.libfm: "-1 204:1 4798:1 5041:1 5046:1 5053:1 5055:1 5058:1 5060:1 5073:1 5183:1\r\n"
    Row first = new LibFmReader().read(spark(), frappe("frappe.test.libfm")).first();
    assertEquals(0.0, first.getDouble(0));
    assertEquals(List.of(204, 4798, 5041, 5046, 5053, 5055, 5058, 5060, 5073, 5183), first.getList(1));
  }

  @Test
  @RealData
  void frappeValidationAndTrainHaveThePublishedCounts() {
    Row validation = summary(new LibFmReader().read(spark(), frappe("frappe.validation.libfm.gz")));
    assertEquals(57_722L, validation.getLong(0));
    assertEquals(19_063.0, validation.getDouble(1));
    assertTrue(validation.getInt(2) >= 0 && validation.getInt(3) <= 5381);
    assertEquals(0L, validation.getLong(4));

    Row train = summary(new LibFmReader().read(spark(), frappe("frappe.train.libfm.gz")));
    assertEquals(202_027L, train.getLong(0));
    assertEquals(67_604.0, train.getDouble(1));
    assertEquals(0, train.getInt(2));
    assertEquals(5381, train.getInt(3));
    assertEquals(0L, train.getLong(4));
  }

  private String fixture(String name, String content) throws IOException {
    Path file = tempDir.resolve(name);
    Files.write(file, content.getBytes(StandardCharsets.UTF_8));
    return file.toString();
  }

  @Test
  void oneBasedIdsAreShiftedToZeroBased() throws IOException {
    String path = fixture("one.libsvm", "1 1:0.5 3:2\n0 2:1.25\n");
    List<Row> rows = new LibFmReader().setOneBased(true).read(spark(), path).collectAsList();
    assertEquals(2, rows.size());
    assertEquals(1.0, rows.get(0).getDouble(0));
    assertEquals(List.of(0, 2), rows.get(0).getList(1));
    assertEquals(List.of(0.5f, 2.0f), rows.get(0).getList(2));
    assertEquals(0.0, rows.get(1).getDouble(0));
    assertEquals(List.of(1), rows.get(1).getList(1));
    assertEquals(List.of(1.25f), rows.get(1).getList(2));
  }

  @Test
  void zeroIdInOneBasedFileIsAnError() throws IOException {
    String path = fixture("zero.libsvm", "1 1:1\n1 0:1 4:1\n");
    String message = Failures.readerError(() -> new LibFmReader().setOneBased(true).read(spark(), path).count());
    assertTrue(message.contains("line 2: '1 0:1 4:1'"), message);
    assertTrue(message.contains("1-based"), message);
  }

  @Test
  void labelsInZeroOneAndMinusOneOneAreNormalised() throws IOException {
    String path = fixture("labels.libfm", "0 0:1\n1 1:1\n-1 2:1\n+1 3:1\n1.0 4:1\n");
    List<Row> rows = new LibFmReader().read(spark(), path).collectAsList();
    double[] labels = rows.stream().mapToDouble(r -> r.getDouble(0)).toArray();
    assertArrayEquals(new double[] {0, 1, 0, 1, 1}, labels);
  }

  @Test
  void crlfLineEndsAndTabsAreTolerated() throws IOException {
    String path = fixture("crlf.libfm", "1 7:1 9:0.5\r\n-1\t3:1\r\n\r\n");
    List<Row> rows = new LibFmReader().read(spark(), path).collectAsList();
    assertEquals(2, rows.size());
    assertEquals(List.of(7, 9), rows.get(0).getList(1));
    assertEquals(List.of(1.0f, 0.5f), rows.get(0).getList(2));
    assertEquals(0.0, rows.get(1).getDouble(0));
    assertEquals(List.of(3), rows.get(1).getList(1));
  }

  @Test
  void malformedTokenFailsQuotingFileLineAndToken() throws IOException {
    String path = fixture("bad.libfm", "1 0:1 1:1\n0 2:1 3-1\n");
    String message = Failures.readerError(() -> new LibFmReader().read(spark(), path).count());
    assertTrue(message.contains("bad.libfm"), message);
    assertTrue(message.contains("line 2: '0 2:1 3-1'"), message);
    assertTrue(message.contains("Token '3-1' is not of the form id:value"), message);
  }

  @Test
  void badLineInALaterSplitIsReportedWithItsLineNumber() throws IOException {
    // 1,000 CRLF lines; Hadoop splits the file in two, and line 900 lies in the second split.
    StringBuilder content = new StringBuilder();
    for (int line = 1; line <= 1000; line++) {
      content.append(line == 900 ? "1 5:1 oops" : "1 5:1 6:1").append("\r\n");
    }
    String path = fixture("long.libfm", content.toString());
    assertTrue(new LibFmReader().read(spark(), path).rdd().getNumPartitions() >= 2);
    String message = Failures.readerError(() -> new LibFmReader().read(spark(), path).count());
    assertTrue(message.contains("long.libfm, line 900: '1 5:1 oops'"), message);
  }

  @Test
  void nonNumericValueFailsNamingTheToken() throws IOException {
    String path = fixture("badvalue.libfm", "1 0:x\n");
    String message = Failures.readerError(() -> new LibFmReader().read(spark(), path).count());
    assertTrue(message.contains("line 1: '1 0:x'"), message);
    assertTrue(message.contains("Token '0:x' has a value that is not a number"), message);
  }

  @Test
  void labelOutsideTheTwoConventionsFails() throws IOException {
    String path = fixture("label2.libfm", "1 0:1\n2 0:1\n");
    String message = Failures.readerError(() -> new LibFmReader().read(spark(), path).count());
    assertTrue(message.contains("label2.libfm, line 2: '2 0:1'"), message);
    assertTrue(message.contains("The label '2' is not one of -1, 0 or 1"), message);
  }
}
