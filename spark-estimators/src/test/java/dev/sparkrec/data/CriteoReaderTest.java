package dev.sparkrec.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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

class CriteoReaderTest {

  @TempDir
  Path tempDir;

  private static SparkSession spark() {
    return SparkTestSession.get();
  }

  private static Path criteo(String name) {
    return SparkTestSession.dataFile("criteo/wide-resdnn/" + name);
  }

  private static Row rowsAndClicks(String name) {
    return CriteoReader.read(spark(), criteo(name).toString()).agg(count("*"), sum(col("label"))).first();
  }

  @Test
  @RealData
  void splitsHaveTheDocumentedRowAndClickCounts() {
    Row train = rowsAndClicks("train.csv");
    assertEquals(7_200L, train.getLong(0));
    assertEquals(1_549.0, train.getDouble(1));
    Row dev = rowsAndClicks("dev.csv");
    assertEquals(409L, dev.getLong(0));
    assertEquals(93.0, dev.getDouble(1));
    Row test = rowsAndClicks("test.csv");
    assertEquals(391L, test.getLong(0));
    assertEquals(86.0, test.getDouble(1));
  }

  @Test
  @RealData
  void firstTrainRowIsParsedExactly() {
    // 0 1 1 5 0 1382 4 15 2 181 1 2 <empty> 2 68fd1e64 80e26c9b ... (tab-separated)
    Dataset<Row> train = CriteoReader.read(spark(), criteo("train.csv").toString());
    assertEquals(CriteoReader.SCHEMA, train.schema());
    Row first = train.first();
    assertEquals(0.0, first.getDouble(0));
    assertEquals(1, first.getInt(first.fieldIndex("I1")));
    assertEquals(1382, first.getInt(first.fieldIndex("I5")));
    assertNull(first.get(first.fieldIndex("I12")));
    assertEquals(2, first.getInt(first.fieldIndex("I13")));
    assertEquals("68fd1e64", first.getString(first.fieldIndex("C1")));
    assertEquals("9727dd16", first.getString(first.fieldIndex("C26")));
  }

  @Test
  @RealData
  void missingValuesMatchAnIndependentCountOfEmptyFields() throws IOException {
    List<String> lines = Files.readAllLines(criteo("train.csv"), StandardCharsets.UTF_8);
    long emptyI1 = 0;
    long emptyC26 = 0;
    long sumI2 = 0;
    for (String line : lines) {
      String[] f = line.split("\t", -1);
      emptyI1 += f[1].isEmpty() ? 1 : 0;
      emptyC26 += f[39].isEmpty() ? 1 : 0;
      sumI2 += f[2].isEmpty() ? 0 : Long.parseLong(f[2]);
    }
    assertTrue(emptyI1 > 0 && emptyC26 > 0, "the file has missing values in I1 and C26");
    Row counts = CriteoReader.read(spark(), criteo("train.csv").toString())
        .selectExpr("sum(if(I1 is null, 1, 0))", "sum(if(C26 is null, 1, 0))", "sum(cast(I2 as long))")
        .first();
    assertEquals(emptyI1, counts.getLong(0));
    assertEquals(emptyC26, counts.getLong(1));
    assertEquals(sumI2, counts.getLong(2));
  }

  private String fixture(String name, String content) throws IOException {
    Path file = tempDir.resolve(name);
    Files.write(file, content.getBytes(StandardCharsets.UTF_8));
    return file.toString();
  }

  private static String line(String label, int filled) {
    StringBuilder b = new StringBuilder(label);
    for (int i = 1; i < filled; i++) {
      b.append('\t').append(i <= 13 ? String.valueOf(i) : String.format("%08x", i));
    }
    return b.toString();
  }

  @Test
  void emptyFieldsAreNull() throws IOException {
    // Line 1: all 40 fields. Line 2: I1 empty, C2 empty. Line 3: C26 (the last field) empty, CRLF line end.
    String full = line("1", 40);
    String[] f = line("0", 40).split("\t", -1);
    f[1] = "";
    f[15] = "";
    String holes = String.join("\t", f);
    String lastEmpty = line("0", 39) + "\t";
    String path = fixture("criteo.txt", full + "\n" + holes + "\n" + lastEmpty + "\r\n");
    List<Row> rows = CriteoReader.read(spark(), path).collectAsList();
    assertEquals(3, rows.size());
    Row r0 = rows.get(0);
    assertEquals(1.0, r0.getDouble(0));
    assertEquals(13, r0.getInt(r0.fieldIndex("I13")));
    assertEquals(String.format("%08x", 39), r0.getString(r0.fieldIndex("C26")));
    Row r1 = rows.get(1);
    assertNull(r1.get(r1.fieldIndex("I1")));
    assertEquals(2, r1.getInt(r1.fieldIndex("I2")));
    assertNull(r1.get(r1.fieldIndex("C2")));
    assertEquals(String.format("%08x", 14), r1.getString(r1.fieldIndex("C1")));
    Row r2 = rows.get(2);
    assertEquals(0.0, r2.getDouble(0));
    assertEquals(String.format("%08x", 38), r2.getString(r2.fieldIndex("C25")));
    assertNull(r2.get(r2.fieldIndex("C26")));
  }

  @Test
  void tooFewFieldsFailNamingFileLineAndText() throws IOException {
    // A row with 3 of the 40 fields must not come back padded with nulls.
    String shortLine = "1\t5\t7";
    String path = fixture("short.txt", line("0", 40) + "\n" + shortLine + "\n");
    String message = Failures.readerError(() -> CriteoReader.read(spark(), path).count());
    assertTrue(message.contains("short.txt, line 2"), message);
    assertTrue(message.contains("'" + shortLine + "'"), message);
    assertTrue(message.contains("3 tab-separated fields"), message);
    assertTrue(message.contains("exactly 40"), message);

    // A line that lost its trailing empty fields (15 of 40) is also an error rather than a guess.
    String stripped = fixture("stripped.txt", line("0", 15) + "\n");
    message = Failures.readerError(() -> CriteoReader.read(spark(), stripped).count());
    assertTrue(message.contains("stripped.txt, line 1"), message);
    assertTrue(message.contains("15 tab-separated fields"), message);
  }

  @Test
  void badIntegerFailsNamingColumnAndLine() throws IOException {
    String[] f = line("0", 40).split("\t", -1);
    f[3] = "3.5";
    String path = fixture("badint.txt", line("1", 40) + "\n" + String.join("\t", f) + "\n");
    String message = Failures.readerError(() -> CriteoReader.read(spark(), path).count());
    assertTrue(message.contains("badint.txt, line 2"), message);
    assertTrue(message.contains("Column 'I3' has value '3.5'"), message);
  }

  @Test
  void tooManyFieldsOrBadLabelFail() throws IOException {
    String tooMany = fixture("wide.txt", line("1", 40) + "\textra\n");
    String message = Failures.readerError(() -> CriteoReader.read(spark(), tooMany).count());
    assertTrue(message.contains("wide.txt, line 1"), message);
    assertTrue(message.contains("41 tab-separated fields"), message);
    assertTrue(message.contains("exactly 40"), message);

    String badLabel = fixture("label.txt", line("yes", 40) + "\n");
    message = Failures.readerError(() -> CriteoReader.read(spark(), badLabel).count());
    assertTrue(message.contains("Column 'label' has value 'yes' but must be 0 or 1"), message);
  }
}
