package dev.sparkrec.features;

import static org.apache.spark.sql.functions.rand;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.StageContract;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The stage contract plus behaviour on a 12-row table whose expected ids are worked out by hand below.
 *
 * <pre>
 * city   : paris x4, oslo x3, rome x2, lima, kyiv, null
 * clicks : 7 x3, 3 x3, 5 x2, 1 x2, 9, null
 * premium: true x7, false x5
 * price  : 1.0 .. 10.0, NaN, null
 * </pre>
 * With minCount = 2 and numBuckets = 3 (bucketize):
 * <ul>
 *   <li>city ids 0..3: OOV 0 (lima, kyiv, null: 3), paris 1 (4), oslo 2 (3), rome 3 (2).</li>
 *   <li>clicks ids 4..8: OOV 4 (9, null: 2), "3" 5 (3), "7" 6 (3), "1" 7 (2), "5" 8 (2) — ties by value string.</li>
 *   <li>premium ids 9..11: OOV 9 (0), true 10 (7), false 11 (5).</li>
 *   <li>price ids 12..15: n = 10 present values; split j is the ceil(j * 10 / 3)-th smallest value:
 *       j = 1 -> 4th = 4.0, j = 2 -> 7th = 7.0, so splits [-inf, 4, 7, +inf]; OOV 12 (NaN, null: 2),
 *       [-inf, 4) 13 (3), [4, 7) 14 (3), [7, +inf) 15 (4).</li>
 * </ul>
 */
class FieldEncoderTest extends StageContract {

  private static final StructType SCHEMA = new StructType()
      .add("city", DataTypes.StringType)
      .add("clicks", DataTypes.IntegerType)
      .add("premium", DataTypes.BooleanType)
      .add("price", DataTypes.DoubleType);

  private static final String[] FIELDS = {"city", "clicks", "premium", "price"};

  @Override
  protected PipelineStage newStage() {
    return new FieldEncoder()
        .setInputCols(FIELDS)
        .setMinCount(2)
        .setNumBuckets(3)
        .setMaxCategoriesPerField(100)
        .setFeatureIdsCol("ids")
        .setFeatureValuesCol("values");
  }

  @Override
  protected Dataset<Row> inputData() {
    return table(
        RowFactory.create("paris", 7, true, 1.0),
        RowFactory.create("paris", 7, true, 2.0),
        RowFactory.create("paris", 7, true, 3.0),
        RowFactory.create("paris", 3, true, 4.0),
        RowFactory.create("oslo", 3, true, 5.0),
        RowFactory.create("oslo", 3, true, 6.0),
        RowFactory.create("oslo", 5, true, 7.0),
        RowFactory.create("rome", 5, false, 8.0),
        RowFactory.create("rome", 1, false, 9.0),
        RowFactory.create("lima", 1, false, 10.0),
        RowFactory.create(null, 9, false, Double.NaN),
        RowFactory.create("kyiv", null, false, null));
  }

  @Override
  protected void assertSameModelData(Transformer expected, Transformer actual) {
    FieldEncoderModel a = (FieldEncoderModel) expected;
    FieldEncoderModel b = (FieldEncoderModel) actual;
    assertArrayEquals(a.fieldNames(), b.fieldNames());
    assertArrayEquals(a.fieldEncodings(), b.fieldEncodings());
    assertArrayEquals(a.fieldOffsets(), b.fieldOffsets());
    assertArrayEquals(a.fieldSizes(), b.fieldSizes());
    assertArrayEquals(a.featureFrequencies(), b.featureFrequencies());
    for (String field : a.fieldNames()) {
      assertEquals(a.vocabulary(field).collectAsList(), b.vocabulary(field).collectAsList(), field);
    }
  }

  private static Dataset<Row> table(Row... rows) {
    return spark().createDataFrame(Arrays.asList(rows), SCHEMA);
  }

  private FieldEncoderModel fitDefault() {
    return new FieldEncoder().setInputCols(FIELDS).setMinCount(2).setNumBuckets(3).fit(inputData());
  }

  // ---- layout and vocabulary ----

  @Test
  void layoutAndFrequenciesMatchHandCount() {
    FieldEncoderModel model = fitDefault();
    assertEquals(16, model.numFeatures());
    assertArrayEquals(new int[] {0, 4, 9, 12}, model.fieldOffsets());
    assertArrayEquals(new int[] {4, 5, 3, 4}, model.fieldSizes());
    assertArrayEquals(FIELDS, model.fieldNames());
    assertArrayEquals(new FieldEncoding[] {FieldEncoding.CATEGORICAL, FieldEncoding.CATEGORICAL,
        FieldEncoding.CATEGORICAL, FieldEncoding.BUCKETIZED}, model.fieldEncodings());
    assertArrayEquals(new long[] {3, 4, 3, 2, 2, 3, 3, 2, 2, 0, 7, 5, 2, 3, 3, 4}, model.featureFrequencies());
    assertEquals(0, model.oovId(0));
    assertEquals(4, model.oovId(1));
    assertEquals(9, model.oovId("premium"));
    assertEquals(12, model.oovId(3));
    assertArrayEquals(new double[] {Double.NEGATIVE_INFINITY, 4.0, 7.0, Double.POSITIVE_INFINITY},
        model.bucketSplits("price"));

    assertEquals(Arrays.asList(
        RowFactory.create(null, 4, 2L), RowFactory.create("3", 5, 3L), RowFactory.create("7", 6, 3L),
        RowFactory.create("1", 7, 2L), RowFactory.create("5", 8, 2L)),
        model.vocabulary("clicks").collectAsList());
    assertEquals(Arrays.asList(
        RowFactory.create(null, 12, 2L), RowFactory.create("[-Infinity, 4.0)", 13, 3L),
        RowFactory.create("[4.0, 7.0)", 14, 3L), RowFactory.create("[7.0, Infinity)", 15, 4L)),
        model.vocabulary("price").collectAsList());
    assertEquals(Arrays.asList("value", "id", "count"), Arrays.asList(model.vocabulary("city").columns()));
  }

  @Test
  void encodesTrainingRowsAsWorkedOut() {
    FieldEncoderModel model = fitDefault();
    List<Row> out = model.transform(inputData()).collectAsList();
    int[][] expected = {
        {1, 6, 10, 13}, {1, 6, 10, 13}, {1, 6, 10, 13}, {1, 5, 10, 14}, {2, 5, 10, 14}, {2, 5, 10, 14},
        {2, 8, 10, 15}, {3, 8, 11, 15}, {3, 7, 11, 15}, {0, 7, 11, 15}, {0, 4, 11, 12}, {0, 4, 11, 12}};
    assertEquals(expected.length, out.size());
    for (int i = 0; i < expected.length; i++) {
      assertArrayEquals(expected[i], ids(out.get(i), "featureIds"), "row " + i);
      assertArrayEquals(new float[] {1f, 1f, 1f, 1f}, values(out.get(i), "featureValues"), "row " + i);
    }
    assertIdsInFieldRanges(model, out, "featureIds");
  }

  @Test
  void defaultMinCountKeepsEveryValueTiesByValueString() {
    FieldEncoderModel model = new FieldEncoder().setInputCols("city").fit(inputData());
    assertEquals(Arrays.asList(
        RowFactory.create(null, 0, 1L), RowFactory.create("paris", 1, 4L), RowFactory.create("oslo", 2, 3L),
        RowFactory.create("rome", 3, 2L), RowFactory.create("kyiv", 4, 1L), RowFactory.create("lima", 5, 1L)),
        model.vocabulary("city").collectAsList());
  }

  @Test
  void maxCategoriesPerFieldKeepsMostFrequentTiesByValue() {
    FieldEncoderModel model = new FieldEncoder().setInputCols("city", "clicks").setMaxCategoriesPerField(1)
        .fit(inputData());
    // clicks "3" and "7" both occur 3 times: "3" sorts first and is the one kept.
    assertArrayEquals(new long[] {8, 4, 9, 3}, model.featureFrequencies());
    assertEquals("3", model.vocabulary("clicks").collectAsList().get(1).getString(0));
    List<Row> out = model.transform(table(RowFactory.create("oslo", 7, true, 1.0))).collectAsList();
    assertArrayEquals(new int[] {0, 2}, ids(out.get(0), "featureIds"));
  }

  @Test
  void rareValuesMapToOovEvenUnderError() {
    FieldEncoderModel model = fitDefault().setHandleInvalid("error");
    // lima was seen once (< minCount 2), 9 once: both known, so OOV rather than an error.
    List<Row> out = model.transform(table(RowFactory.create("lima", 9, true, 5.0))).collectAsList();
    assertArrayEquals(new int[] {0, 4, 10, 14}, ids(out.get(0), "featureIds"));
  }

  // ---- handleInvalid ----

  @Test
  void keepMapsUnseenAndMissingToOov() {
    FieldEncoderModel model = fitDefault();
    List<Row> out = model.transform(table(
        RowFactory.create("tokyo", 42, null, Double.NaN),
        RowFactory.create(null, null, true, Double.POSITIVE_INFINITY))).collectAsList();
    assertArrayEquals(new int[] {0, 4, 9, 12}, ids(out.get(0), "featureIds"));
    assertArrayEquals(new int[] {0, 4, 10, 15}, ids(out.get(1), "featureIds"));
  }

  @Test
  void skipDropsRowsWithUnseenOrMissingValues() {
    FieldEncoderModel model = fitDefault().setHandleInvalid("skip");
    List<Row> out = model.transform(table(
        RowFactory.create("rome", 1, false, 4.0),
        RowFactory.create("tokyo", 1, false, 4.0),
        RowFactory.create("rome", 1, null, 4.0),
        RowFactory.create("rome", 1, false, Double.NaN),
        RowFactory.create("lima", 9, true, -3.0))).collectAsList();
    assertEquals(2, out.size());
    assertArrayEquals(new int[] {3, 7, 11, 14}, ids(out.get(0), "featureIds"));
    assertArrayEquals(new int[] {0, 4, 10, 13}, ids(out.get(1), "featureIds"));
    assertEquals("lima", out.get(1).getString(0));
  }

  @Test
  void errorNamesColumnAndUnseenValue() {
    FieldEncoderModel model = fitDefault().setHandleInvalid("error");
    Exception e = assertThrows(Exception.class,
        () -> model.transform(table(RowFactory.create("paris", 3, true, 1.0),
            RowFactory.create("tokyo", 3, true, 1.0))).collect());
    String message = messages(e);
    assertTrue(message.contains("Column 'city' has unseen value \"tokyo\""), message);
    assertTrue(message.contains("handleInvalid=\"keep\""), message);

    Exception missing = assertThrows(Exception.class,
        () -> model.transform(table(RowFactory.create("paris", 3, true, Double.NaN))).collect());
    assertTrue(messages(missing).contains("Column 'price' has a missing value (NaN)"), messages(missing));
  }

  // ---- numeric modes ----

  @Test
  void valueModeScalesWithFittedBoundsAndClips() {
    FieldEncoderModel model = new FieldEncoder().setInputCols("premium", "price").setNumericMode("value")
        .fit(inputData());
    assertArrayEquals(new int[] {0, 3}, model.fieldOffsets());
    assertArrayEquals(new int[] {3, 2}, model.fieldSizes());
    assertEquals(5, model.numFeatures());
    assertArrayEquals(new double[] {1.0, 10.0}, model.valueBounds("price"));
    assertArrayEquals(new long[] {0, 7, 5, 2, 10}, model.featureFrequencies());

    List<Row> out = model.transform(table(
        RowFactory.create(null, null, true, 1.0),
        RowFactory.create(null, null, true, 5.5),
        RowFactory.create(null, null, true, 10.0),
        RowFactory.create(null, null, true, 20.0),
        RowFactory.create(null, null, true, -5.0),
        RowFactory.create(null, null, true, 3.0),
        RowFactory.create(null, null, true, null))).collectAsList();
    float[] expectedPrice = {0f, 0.5f, 1f, 1f, 0f, (float) (2.0 / 9.0), 1f}; // (x - 1) / (10 - 1), clipped
    int[] expectedPriceId = {4, 4, 4, 4, 4, 4, 3};
    for (int i = 0; i < expectedPrice.length; i++) {
      assertArrayEquals(new int[] {1, expectedPriceId[i]}, ids(out.get(i), "featureIds"), "row " + i);
      assertArrayEquals(new float[] {1f, expectedPrice[i]}, values(out.get(i), "featureValues"), "row " + i);
    }
  }

  @Test
  void bucketBoundariesFollowBucketizerRule() {
    FieldEncoderModel model = fitDefault();
    List<Row> out = model.transform(table(
        RowFactory.create("paris", 7, true, 3.999),
        RowFactory.create("paris", 7, true, 4.0),
        RowFactory.create("paris", 7, true, 7.0),
        RowFactory.create("paris", 7, true, Double.NEGATIVE_INFINITY),
        RowFactory.create("paris", 7, true, 1e300))).collectAsList();
    int[] expectedPriceId = {13, 14, 15, 13, 15};
    for (int i = 0; i < expectedPriceId.length; i++) {
      assertEquals(expectedPriceId[i], ids(out.get(i), "featureIds")[3], "row " + i);
    }
  }

  @Test
  void tiedQuantilesCollapseIntoFewerBuckets() {
    Dataset<Row> data = table(
        RowFactory.create("a", 1, true, 1.0), RowFactory.create("a", 1, true, 1.0),
        RowFactory.create("a", 1, true, 1.0), RowFactory.create("a", 1, true, 1.0),
        RowFactory.create("a", 1, true, 2.0), RowFactory.create("a", 1, true, 3.0));
    // n = 6, numBuckets 4: ranks ceil(6/4) = 2, ceil(12/4) = 3, ceil(18/4) = 5 -> values 1.0, 1.0, 2.0.
    FieldEncoderModel model = new FieldEncoder().setInputCols("price").setNumBuckets(4).fit(data);
    assertArrayEquals(new double[] {Double.NEGATIVE_INFINITY, 1.0, 2.0, Double.POSITIVE_INFINITY},
        model.bucketSplits("price"));
    assertArrayEquals(new long[] {0, 0, 4, 2}, model.featureFrequencies());
  }

  // ---- determinism and persistence ----

  @Test
  void fitIsDeterministicAcrossRunsAndPartitionings() {
    FieldEncoder encoder = new FieldEncoder().setInputCols(FIELDS).setMinCount(1).setNumBuckets(4)
        .setMaxCategoriesPerField(3);
    FieldEncoderModel first = encoder.fit(inputData());
    FieldEncoderModel second = encoder.fit(inputData());
    FieldEncoderModel shuffled = encoder.fit(inputData().repartition(5).orderBy(rand(7)));
    for (FieldEncoderModel other : new FieldEncoderModel[] {second, shuffled}) {
      assertSameModelData(first, other);
      assertEquals(first.transform(inputData()).collectAsList(), other.transform(inputData()).collectAsList());
    }
  }

  @Test
  void savedModelKeepsOutputsAndRareValueMemory() throws Exception {
    FieldEncoderModel model = fitDefault().setHandleInvalid("error");
    String path = tempDir.resolve("encoder-model").toString();
    model.save(path);
    FieldEncoderModel loaded = FieldEncoderModel.load(path);
    assertSameModelData(model, loaded);
    assertEquals("error", loaded.getHandleInvalid());
    Dataset<Row> probe = table(RowFactory.create("lima", 9, true, 5.0), RowFactory.create("rome", 1, false, 8.0));
    assertEquals(model.transform(probe).collectAsList(), loaded.transform(probe).collectAsList());
    Exception e = assertThrows(Exception.class,
        () -> loaded.transform(table(RowFactory.create("tokyo", 3, true, 1.0))).collect());
    assertTrue(messages(e).contains("unseen value \"tokyo\""), messages(e));
  }

  // ---- degenerate training data ----

  @Test
  void emptyDataFailsNamingInputColumns() {
    Dataset<Row> empty = inputData().limit(0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new FieldEncoder().setInputCols(FIELDS).fit(empty));
    assertTrue(e.getMessage().contains("no rows"), e.getMessage());
    assertTrue(e.getMessage().contains("[city, clicks, premium, price]"), e.getMessage());
  }

  @Test
  void allNullFieldHasOnlyItsOovIdAndEncodesToIt() {
    // A field that is null in every row learns nothing: categorical gets only the OOV id; bucketize gets
    // the OOV id plus one bucket (-inf, +inf) that no training row falls into.
    Dataset<Row> allNull = table(
        RowFactory.create(null, 1, true, null),
        RowFactory.create(null, 2, false, null));
    FieldEncoderModel model = new FieldEncoder().setInputCols(FIELDS).setHandleInvalid("keep").fit(allNull);
    assertArrayEquals(new int[] {1, 3, 3, 2}, model.fieldSizes());
    assertArrayEquals(new long[] {2, 0, 1, 1, 0, 1, 1, 2, 0}, model.featureFrequencies());
    List<Row> out = model.transform(allNull).collectAsList();
    // clicks "1" 2, "2" 3; premium ties by value: false 5, true 6
    assertArrayEquals(new int[] {0, 2, 6, 7}, ids(out.get(0), "featureIds"));
    assertArrayEquals(new int[] {0, 3, 5, 7}, ids(out.get(1), "featureIds"));
  }

  // ---- schema ----

  @Test
  void rejectsUnsupportedTypesNamingColumnAndType() {
    StructType schema = SCHEMA.add("amount", new DecimalType(10, 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new FieldEncoder().setInputCols("city", "amount").transformSchema(schema));
    assertTrue(e.getMessage().contains("Column 'amount' has type decimal(10,2)"), e.getMessage());
  }

  @Test
  void rejectsExistingOutputColumnAndMissingInputCols() {
    IllegalArgumentException exists = assertThrows(IllegalArgumentException.class,
        () -> new FieldEncoder().setInputCols("city").setFeatureIdsCol("price").transformSchema(SCHEMA));
    assertTrue(exists.getMessage().contains("'price' already exists"), exists.getMessage());
    IllegalArgumentException unset = assertThrows(IllegalArgumentException.class,
        () -> new FieldEncoder().transformSchema(SCHEMA));
    assertTrue(unset.getMessage().contains("inputCols"), unset.getMessage());
    FieldEncoderModel model = fitDefault();
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> model.copy(ParamMap.empty()).setInputCols("city", "clicks", "premium", "city")
            .transformSchema(SCHEMA));
    assertTrue(twice.getMessage().contains("Column 'city' appears twice"), twice.getMessage());
  }

  @Test
  void modelAcceptsRenamedColumnsOfCompatibleTypes() {
    FieldEncoderModel model = fitDefault();
    Dataset<Row> renamed = inputData().withColumnRenamed("price", "cost");
    List<Row> out = model.copy(ParamMap.empty())
        .setInputCols("city", "clicks", "premium", "cost").transform(renamed).collectAsList();
    assertArrayEquals(new int[] {1, 6, 10, 13}, ids(out.get(0), "featureIds"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> model.copy(ParamMap.empty()).setInputCols("city", "clicks", "premium", "label")
            .transformSchema(SCHEMA.add("label", DataTypes.StringType)));
    assertTrue(e.getMessage().contains("Column 'label' has type string but field 3 was fitted as bucketize"),
        e.getMessage());
  }

  // ---- helpers shared with the real-data tests ----

  static int[] ids(Row row, String column) {
    List<Integer> list = row.getList(row.fieldIndex(column));
    return list.stream().mapToInt(Integer::intValue).toArray();
  }

  static float[] values(Row row, String column) {
    List<Float> list = row.getList(row.fieldIndex(column));
    float[] out = new float[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.get(i);
    }
    return out;
  }

  /** Every row has one id per field, each inside its field's block (so inside [0, numFeatures)). */
  static void assertIdsInFieldRanges(FieldEncoderModel model, List<Row> rows, String column) {
    int[] offsets = model.fieldOffsets();
    int[] sizes = model.fieldSizes();
    for (Row row : rows) {
      int[] ids = ids(row, column);
      assertEquals(offsets.length, ids.length, "one id per field");
      for (int f = 0; f < ids.length; f++) {
        assertTrue(ids[f] >= offsets[f] && ids[f] < offsets[f] + sizes[f] && ids[f] < model.numFeatures(),
            "field " + f + " id " + ids[f] + " outside [" + offsets[f] + ", " + (offsets[f] + sizes[f]) + ")");
      }
    }
  }

  /** The messages of an exception and all its causes, joined. */
  static String messages(Throwable e) {
    List<String> parts = new ArrayList<>();
    for (Throwable t = e; t != null; t = t.getCause()) {
      parts.add(String.valueOf(t.getMessage()));
    }
    return String.join(" | ", parts);
  }
}
