package dev.sparkrec.features;

import static dev.sparkrec.features.FieldEncoderTest.assertIdsInFieldRanges;
import static dev.sparkrec.features.FieldEncoderTest.ids;
import static dev.sparkrec.features.FieldEncoderTest.messages;
import static dev.sparkrec.features.FieldEncoderTest.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.RealData;
import dev.sparkrec.testing.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FieldEncoder on the raw Criteo sample {@code criteo/wide-resdnn} (7,200 train / 391 test rows, tab-separated:
 * label, I1..I13, C1..C26, empty = missing). Expected vocabularies, bounds and splits are recomputed here from
 * the raw lines with plain Java, independently of Spark.
 */
@RealData
class FieldEncoderCriteoTest {

  private static final int MIN_COUNT = 2;
  private static final String[] NUMERIC = new String[13];
  private static final String[] CATEGORICAL = new String[26];
  private static final String[] FIELDS = new String[39];
  private static final StructType SCHEMA;

  static {
    StructType schema = new StructType().add("label", DataTypes.IntegerType);
    for (int i = 0; i < 13; i++) {
      NUMERIC[i] = "I" + (i + 1);
      schema = schema.add(NUMERIC[i], DataTypes.DoubleType);
    }
    for (int i = 0; i < 26; i++) {
      CATEGORICAL[i] = "C" + (i + 1);
      schema = schema.add(CATEGORICAL[i], DataTypes.StringType);
    }
    System.arraycopy(NUMERIC, 0, FIELDS, 0, 13);
    System.arraycopy(CATEGORICAL, 0, FIELDS, 13, 26);
    SCHEMA = schema;
  }

  private static Dataset<Row> train;
  private static Dataset<Row> test;
  private static List<String[]> trainLines;
  private static List<String[]> testLines;

  @TempDir
  Path tempDir;

  @BeforeAll
  static void read() throws IOException {
    train = readCriteo("criteo/wide-resdnn/train.csv");
    test = readCriteo("criteo/wide-resdnn/test.csv");
    trainLines = lines("criteo/wide-resdnn/train.csv");
    testLines = lines("criteo/wide-resdnn/test.csv");
  }

  private static Dataset<Row> readCriteo(String file) {
    SparkSession spark = SparkTestSession.get();
    return spark.read().option("sep", "\t").schema(SCHEMA).csv(SparkTestSession.dataFile(file).toString());
  }

  private static List<String[]> lines(String file) throws IOException {
    List<String[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(SparkTestSession.dataFile(file))) {
      rows.add(line.split("\t", -1));
    }
    return rows;
  }

  /** Column position of a field in the raw 40-column lines. */
  private static int column(String field) {
    return field.startsWith("I") ? Integer.parseInt(field.substring(1)) : 13 + Integer.parseInt(field.substring(1));
  }

  /** Counts of each present value of a field in the train lines. */
  private static Map<String, Long> trainCounts(String field) {
    Map<String, Long> counts = new HashMap<>();
    for (String[] line : trainLines) {
      String v = line[column(field)];
      if (!v.isEmpty()) {
        counts.merge(v, 1L, Long::sum);
      }
    }
    return counts;
  }

  /** The vocabulary a categorical field should get: values with count >= MIN_COUNT, count desc, value asc. */
  private static List<Map.Entry<String, Long>> expectedVocabulary(String field) {
    List<Map.Entry<String, Long>> kept = new ArrayList<>();
    for (Map.Entry<String, Long> e : trainCounts(field).entrySet()) {
      if (e.getValue() >= MIN_COUNT) {
        kept.add(e);
      }
    }
    kept.sort((a, b) -> !a.getValue().equals(b.getValue()) ? Long.compare(b.getValue(), a.getValue())
        : a.getKey().compareTo(b.getKey()));
    return kept;
  }

  private static double[] presentSorted(String field) {
    return trainLines.stream().map(l -> l[column(field)]).filter(v -> !v.isEmpty())
        .mapToDouble(Double::parseDouble).sorted().toArray();
  }

  /** The categorical fields' expected ids and counts, and their OOV counts, checked against the model. */
  private static void assertCategoricalVocabularies(FieldEncoderModel model) {
    for (String field : CATEGORICAL) {
      List<Map.Entry<String, Long>> expected = expectedVocabulary(field);
      List<Row> actual = model.vocabulary(field).collectAsList();
      int oov = model.oovId(field);
      long keptTotal = expected.stream().mapToLong(Map.Entry::getValue).sum();
      assertEquals(RowFactory.create(null, oov, (long) trainLines.size() - keptTotal), actual.get(0), field);
      assertEquals(expected.size() + 1, actual.size(), field);
      for (int i = 0; i < expected.size(); i++) {
        assertEquals(RowFactory.create(expected.get(i).getKey(), oov + 1 + i, expected.get(i).getValue()),
            actual.get(i + 1), field + " rank " + (i + 1));
      }
    }
  }

  /** Test-set categorical ids: missing, unseen and rare values at OOV, others at their vocabulary id. */
  private static void assertTestCategoricalIds(FieldEncoderModel model, List<Row> encoded) {
    assertEquals(testLines.size(), encoded.size());
    int unseen = 0;
    for (int f = 0; f < CATEGORICAL.length; f++) {
      String field = CATEGORICAL[f];
      int position = Arrays.asList(model.fieldNames()).indexOf(field);
      Map<String, Long> counts = trainCounts(field);
      Map<String, Integer> idOf = new HashMap<>();
      for (Row r : model.vocabulary(field).collectAsList()) {
        idOf.put(r.getString(0), r.getInt(1));
      }
      for (int i = 0; i < testLines.size(); i++) {
        String v = testLines.get(i)[column(field)];
        int id = ids(encoded.get(i), "featureIds")[position];
        if (v.isEmpty() || counts.getOrDefault(v, 0L) < MIN_COUNT) {
          unseen += !v.isEmpty() && !counts.containsKey(v) ? 1 : 0;
          assertEquals(model.oovId(field), id, field + " row " + i + " value " + v);
        } else {
          assertEquals(idOf.get(v).intValue(), id, field + " row " + i + " value " + v);
        }
      }
    }
    assertTrue(unseen > 1000, "test.csv should hold many values unseen in train.csv, found " + unseen);
  }

  @Test
  void valueModeMatchesIndependentCountsAndBounds() {
    assertEquals(7200, train.count());
    FieldEncoderModel model = new FieldEncoder().setInputCols(FIELDS).setNumericMode("value")
        .setMinCount(MIN_COUNT).fit(train);

    int[] sizes = model.fieldSizes();
    int total = 0;
    for (int f = 0; f < FIELDS.length; f++) {
      int expected = f < 13 ? 2 : expectedVocabulary(FIELDS[f]).size() + 1;
      assertEquals(expected, sizes[f], FIELDS[f]);
      assertEquals(total, model.fieldOffsets()[f], FIELDS[f]);
      total += expected;
    }
    assertEquals(total, model.numFeatures());
    long[] frequencies = model.featureFrequencies();
    for (String field : NUMERIC) {
      double[] present = presentSorted(field);
      assertArrayEquals(new double[] {present[0], present[present.length - 1]}, model.valueBounds(field), field);
      int oov = model.oovId(field);
      assertEquals(7200 - present.length, frequencies[oov], field);
      assertEquals(present.length, frequencies[oov + 1], field);
    }
    assertCategoricalVocabularies(model);

    List<Row> encoded = model.transform(train).collectAsList();
    assertIdsInFieldRanges(model, encoded, "featureIds");
    for (int i = 0; i < trainLines.size(); i++) {
      float[] vals = values(encoded.get(i), "featureValues");
      for (int f = 0; f < 13; f++) {
        String raw = trainLines.get(i)[column(NUMERIC[f])];
        double[] bounds = model.valueBounds(NUMERIC[f]);
        float expected = raw.isEmpty() ? 1f
            : (float) ((Double.parseDouble(raw) - bounds[0]) / (bounds[1] - bounds[0]));
        assertEquals(expected, vals[f], NUMERIC[f] + " row " + i);
      }
    }
    assertTestCategoricalIds(model, model.transform(test).collectAsList());
  }

  @Test
  void bucketizeModeIsExactDeterministicAndSurvivesSaveLoad() throws IOException {
    FieldEncoder encoder = new FieldEncoder().setInputCols(FIELDS).setNumBuckets(10).setMinCount(MIN_COUNT);
    FieldEncoderModel model = encoder.fit(train);
    for (String field : NUMERIC) {
      double[] present = presentSorted(field);
      TreeSet<Double> interior = new TreeSet<>();
      for (int j = 1; j < 10; j++) {
        long rank = ((long) j * present.length + 9) / 10; // ceil(j n / 10)
        interior.add(present[(int) rank - 1]);
      }
      double[] expected = new double[interior.size() + 2];
      expected[0] = Double.NEGATIVE_INFINITY;
      int i = 1;
      for (double v : interior) {
        expected[i++] = v;
      }
      expected[i] = Double.POSITIVE_INFINITY;
      assertArrayEquals(expected, model.bucketSplits(field), field);
      long[] frequencies = model.featureFrequencies();
      int oov = model.oovId(field);
      assertEquals(7200 - present.length, frequencies[oov], field);
      long inBuckets = 0;
      for (int b = 1; b < model.fieldSizes()[Arrays.asList(FIELDS).indexOf(field)]; b++) {
        inBuckets += frequencies[oov + b];
      }
      assertEquals(present.length, inBuckets, field);
    }
    assertCategoricalVocabularies(model);

    List<Row> encodedTest = model.transform(test).collectAsList();
    assertIdsInFieldRanges(model, encodedTest, "featureIds");
    assertTestCategoricalIds(model, encodedTest);

    FieldEncoderModel again = encoder.fit(train.repartition(7));
    assertArrayEquals(model.featureFrequencies(), again.featureFrequencies());
    assertArrayEquals(model.fieldSizes(), again.fieldSizes());
    for (String field : FIELDS) {
      assertEquals(model.vocabulary(field).collectAsList(), again.vocabulary(field).collectAsList(), field);
    }
    assertEquals(encodedTest, again.transform(test).collectAsList());

    String path = tempDir.resolve("criteo-encoder").toString();
    model.write().save(path);
    FieldEncoderModel loaded = FieldEncoderModel.load(path);
    assertArrayEquals(model.featureFrequencies(), loaded.featureFrequencies());
    assertEquals(encodedTest, loaded.transform(test).collectAsList());
  }

  @Test
  void errorModeOnTestNamesColumnAndUnseenValue() {
    FieldEncoderModel model = new FieldEncoder().setInputCols(CATEGORICAL).setMinCount(MIN_COUNT)
        .setHandleInvalid("error").fit(train);
    Dataset<Row> complete = test.na().drop(CATEGORICAL); // only unseen values can be invalid here
    Exception e = assertThrows(Exception.class, () -> model.transform(complete).collect());
    Matcher m = Pattern.compile("Column '(C\\d+)' has unseen value \"([0-9a-f]+)\"").matcher(messages(e));
    assertTrue(m.find(), messages(e));
    String field = m.group(1);
    String value = m.group(2);
    assertFalse(trainCounts(field).containsKey(value), value + " is in train.csv " + field);
    assertTrue(testLines.stream().anyMatch(l -> l[column(field)].equals(value)), value + " not in test.csv");
  }
}
