package dev.sparkrec.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.posexplode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparkrec.testing.RealData;
import dev.sparkrec.testing.SparkTestSession;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * FieldEncoder on the original Frappe log {@code frappe/raw/frappe.csv} (96,203 rows, tab-separated with a
 * header). The 10 context fields other than {@code cnt} have the cardinalities the data README lists (5,382
 * values in all, the NFM feature count), so with one OOV id per field there are 5,392 ids.
 */
@RealData
class FieldEncoderFrappeTest {

  private static final String[] FIELDS =
      {"user", "item", "daytime", "weekday", "isweekend", "homework", "cost", "weather", "country", "city"};

  private static Dataset<Row> frappe() {
    StructType schema = new StructType()
        .add("user", DataTypes.IntegerType).add("item", DataTypes.IntegerType).add("cnt", DataTypes.IntegerType)
        .add("daytime", DataTypes.StringType).add("weekday", DataTypes.StringType)
        .add("isweekend", DataTypes.StringType).add("homework", DataTypes.StringType)
        .add("cost", DataTypes.StringType).add("weather", DataTypes.StringType)
        .add("country", DataTypes.StringType).add("city", DataTypes.IntegerType);
    return SparkTestSession.get().read().option("sep", "\t").option("header", "true").schema(schema)
        .csv(SparkTestSession.dataFile("frappe/raw/frappe.csv.gz").toString());
  }

  @Test
  void encodesAllFieldsInRangeAndDeterministically() {
    Dataset<Row> data = frappe();
    assertEquals(96_203, data.count());
    FieldEncoder encoder = new FieldEncoder().setInputCols(FIELDS);
    FieldEncoderModel model = encoder.fit(data);

    assertArrayEquals(new int[] {958, 4083, 8, 8, 3, 4, 3, 10, 81, 234}, model.fieldSizes());
    assertArrayEquals(new int[] {0, 958, 5041, 5049, 5057, 5060, 5064, 5067, 5077, 5158}, model.fieldOffsets());
    assertEquals(5_392, model.numFeatures());
    long[] frequencies = model.featureFrequencies();
    for (int f = 0; f < FIELDS.length; f++) {
      long total = 0;
      for (int id = model.fieldOffsets()[f]; id < model.fieldOffsets()[f] + model.fieldSizes()[f]; id++) {
        total += frequencies[id];
      }
      assertEquals(96_203, total, FIELDS[f]);
      assertEquals(0, frequencies[model.oovId(f)], FIELDS[f] + " has no missing values");
    }
    // Most frequent values (counted from the raw file): item 16 (6,430 rows), user 87 (1,053), evening (23,138).
    assertEquals(RowFactory.create("16", 959, 6430L), model.vocabulary("item").collectAsList().get(1));
    assertEquals(RowFactory.create("87", 1, 1053L), model.vocabulary("user").collectAsList().get(1));
    assertEquals(RowFactory.create("evening", 5042, 23138L), model.vocabulary("daytime").collectAsList().get(1));

    // Ids by field position: smallest and largest id each field receives over the whole log.
    Dataset<Row> encoded = model.transform(data).select("featureIds");
    List<Row> ranges = encoded.select(posexplode(col("featureIds")))
        .groupBy("pos").agg(min("col"), max("col")).orderBy("pos").collectAsList();
    assertEquals(FIELDS.length, ranges.size());
    for (int f = 0; f < FIELDS.length; f++) {
      int lowest = model.fieldOffsets()[f] + 1; // no missing values, so the OOV id is never used
      int highest = model.fieldOffsets()[f] + model.fieldSizes()[f] - 1;
      assertEquals(RowFactory.create(f, lowest, highest), ranges.get(f), FIELDS[f]);
    }

    FieldEncoderModel repartitioned = encoder.fit(data.repartition(5, col("item")));
    assertArrayEquals(frequencies, repartitioned.featureFrequencies());
    for (String field : FIELDS) {
      assertEquals(model.vocabulary(field).collectAsList(), repartitioned.vocabulary(field).collectAsList(), field);
    }
    Dataset<Row> other = repartitioned.transform(data).select("featureIds");
    assertEquals(0, encoded.exceptAll(other).count());
    assertEquals(0, other.exceptAll(encoded).count());
  }
}
