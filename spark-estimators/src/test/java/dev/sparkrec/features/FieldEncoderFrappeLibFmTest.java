package dev.sparkrec.features;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.data.LibFmReader;
import dev.sparkrec.testing.RealData;
import dev.sparkrec.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FieldEncoder re-encoding the Frappe libFM files of the NFM split, field by field: each row's 10 global
 * ids (one per field, ascending = field order) become 10 integer fields, fitted on train with
 * {@code minCount = 5}, so rare and held-out-only ids go to each field's OOV id — the per-field layout,
 * frequencies and OOV handling SparkRec's models need, which the raw libFM ids lack.
 */
@RealData
class FieldEncoderFrappeLibFmTest {

  private static final String[] FIELDS =
      {"user", "item", "daytime", "weekday", "isweekend", "homework", "cost", "weather", "country", "city"};

  @TempDir
  Path dir;

  private static Dataset<Row> fields(String file) {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> rows = new LibFmReader().read(spark, SparkTestSession.dataFile("frappe/nfm/" + file).toString());
    Column[] columns = new Column[FIELDS.length + 1];
    columns[0] = col("label");
    for (int f = 0; f < FIELDS.length; f++) {
      columns[f + 1] = col("featureIds").getItem(f).alias(FIELDS[f]);
    }
    return rows.select(columns);
  }

  @Test
  void encodesTrainAndMapsUnseenTestIdsToOov() throws Exception {
    Dataset<Row> train = fields("frappe.train.libfm.gz").cache();
    Dataset<Row> test = fields("frappe.test.libfm").cache();
    assertEquals(202_027, train.count());
    assertEquals(28_860, test.count());

    FieldEncoder encoder = new FieldEncoder().setInputCols(FIELDS).setMinCount(5);
    FieldEncoderModel model = encoder.fit(train);
    int n = model.numFeatures();
    int[] offsets = model.fieldOffsets();
    int[] sizes = model.fieldSizes();
    assertEquals(FIELDS.length, offsets.length);
    assertTrue(n > FIELDS.length && n <= 5_382 + FIELDS.length, "numFeatures " + n);

    // Every encoded id lies in its field's block; compare field by field with the vocabulary itself.
    List<Row> encodedTest = model.transform(test).select("featureIds").collectAsList();
    long oov = 0;
    for (Row row : encodedTest) {
      List<Integer> ids = row.getList(0);
      assertEquals(FIELDS.length, ids.size());
      for (int f = 0; f < FIELDS.length; f++) {
        int id = ids.get(f);
        assertTrue(id >= offsets[f] && id < offsets[f] + sizes[f], FIELDS[f] + " id " + id);
        if (id == model.oovId(f)) {
          oov++;
        }
      }
    }
    // Test ids absent from (or rare in) train, counted independently with a join on the vocabulary.
    long expectedOov = 0;
    for (String field : FIELDS) {
      Dataset<Row> known = model.vocabulary(field).where(col("value").isNotNull()).select(col("value").alias("v"));
      expectedOov += test.select(col(field).cast("string").alias("v")).join(known, "v", "left_anti").count();
    }
    assertEquals(expectedOov, oov);
    assertTrue(oov > 0, "the held-out file has ids that are rare or absent in train");

    // Deterministic across fits and partitionings.
    FieldEncoderModel again = encoder.fit(train.repartition(3));
    assertArrayEquals(model.featureFrequencies(), again.featureFrequencies());
    assertEquals(model.transform(test).collectAsList(), again.transform(test).collectAsList());

    // Save and load.
    model.write().save(dir.resolve("model").toString());
    FieldEncoderModel loaded = FieldEncoderModel.load(dir.resolve("model").toString());
    assertEquals(model.transform(test).collectAsList(), loaded.transform(test).collectAsList());

    // handleInvalid = "error" names the column and the unseen value.
    SparkException e = assertThrows(SparkException.class,
        () -> new FieldEncoder().setInputCols(FIELDS).setHandleInvalid("error")
            .fit(fields("frappe.validation.libfm.gz"))
            .transform(test).collect());
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    assertTrue(root.getMessage().matches("(?s)Column '\\w+' has unseen value \"\\d+\".*"), root.getMessage());
  }
}
