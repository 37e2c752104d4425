package dev.sparkrec.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.ml.ArrayFunctions;
import dev.sparkrec.testing.SparkTestSession;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * The four functions against an exact reference (BigDecimal sums of the floats, rounded once), through Spark SQL on
 * random and edge rows; the GPU twins' row path against the CPU classes; the errors; the registration choice.
 */
class SparkRecFunctionsTest {

  private static final MathContext EXACT = MathContext.DECIMAL128;
  private static final StructType SCHEMA = new StructType()
      .add("a", DataTypes.createArrayType(DataTypes.FloatType, true))
      .add("b", DataTypes.createArrayType(DataTypes.FloatType, true))
      .add("w", DataTypes.createArrayType(DataTypes.FloatType, true))
      .add("s", DataTypes.FloatType);

  private static SparkSession spark;

  @BeforeAll
  static void register() {
    spark = SparkTestSession.get();
    assertEquals("cpu", SparkRecFunctions.register(spark), "no RAPIDS plugin here: the CPU classes");
    assertTrue(ArrayFunctions.registered(spark));
  }

  @Test
  void sqlResultsEqualTheExactReferenceOnRandomAndEdgeRows() {
    List<Row> rows = rows();
    List<Row> out = spark.createDataFrame(rows, SCHEMA)
        .selectExpr("a", "b", "w", "s", "sparkrec_dot(a, b) AS dot", "sparkrec_scaled_dot(a, b, s) AS scaled",
            "sparkrec_weighted_l1(a, b, w) AS l1", "sparkrec_cosine(a, b) AS cosine")
        .collectAsList();
    assertEquals(rows.size(), out.size());
    for (Row row : out) {
      Float[] a = floats(row, 0);
      Float[] b = floats(row, 1);
      Float[] w = floats(row, 2);
      Float s = row.isNullAt(3) ? null : row.getFloat(3);
      String where = Arrays.toString(a) + " · " + Arrays.toString(b);
      assertClose(referenceDot(a, b), value(row, 4), "dot " + where);
      assertClose(referenceDot(a, b) == null || s == null ? null : referenceScaledDot(a, b, s), value(row, 5),
          "scaled dot " + where);
      assertClose(referenceWeightedL1(a, b, w), value(row, 6), "weighted L1 " + where);
      assertClose(referenceCosine(a, b), value(row, 7), "cosine " + where);
    }
  }

  @Test
  void edgeValues() {
    assertEquals(0f, new DotUdf().call(seq(), seq()), "empty arrays");
    assertEquals(0f, new WeightedL1Udf().call(seq(), seq(), seq()));
    assertTrue(Float.isNaN(new CosineUdf().call(seq(), seq())), "0/0");
    assertTrue(Float.isNaN(new CosineUdf().call(seq(0f, 0f), seq(1f, 2f))), "a zero vector");
    assertTrue(Float.isNaN(new DotUdf().call(seq(1f, Float.NaN), seq(1f, 2f))), "NaN propagates");
    assertEquals(Float.POSITIVE_INFINITY, new DotUdf().call(seq(Float.MAX_VALUE, Float.MAX_VALUE), seq(2f, 2f)),
        "the double sum overflows float only when rounded");
    assertEquals(3f, new DotUdf().call(seq(1e10f, 3f, -1e10f), seq(1f, 1f, 1f)), "summed in double: a float sum would lose the 3");
    assertNull(new DotUdf().call(null, seq(1f)));
    assertNull(new DotUdf().call(seq(1f, null), seq(1f, 2f)), "a null element");
    assertNull(new ScaledDotUdf().call(seq(1f), seq(1f), null), "a null scale");
    assertNull(new WeightedL1Udf().call(seq(1f), seq(1f), null));
    assertNull(new CosineUdf().call(seq(1f), null));
    assertEquals(-6f, new ScaledDotUdf().call(seq(1f, 2f), seq(3f, 0f), -2f));
    assertEquals(0.5f * 2 + 2f * 1, new WeightedL1Udf().call(seq(1f, 2f), seq(3f, 1f), seq(0.5f, 2f)));
  }

  @Test
  void mismatchedLengthsAndWrongElementTypesAreClearErrors() {
    IllegalArgumentException direct = assertThrows(IllegalArgumentException.class,
        () -> new DotUdf().call(seq(1f, 2f, 3f), seq(1f, 2f)));
    assertEquals("sparkrec_dot: its array arguments must have the same length; got arrays of 3 and 2 elements",
        direct.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new WeightedL1Udf().call(seq(1f), seq(1f), seq(1f, 2f)));
    assertThrows(IllegalArgumentException.class, () -> new CosineUdf().call(seq(1f), seq()));
    assertThrows(IllegalArgumentException.class, () -> new ScaledDotUdf().call(seq(1f), seq(), 1f));

    Dataset<Row> mismatched = spark.createDataFrame(List.of(
        RowFactory.create(List.of(1f, 2f), List.of(1f), List.of(1f), 1f)), SCHEMA);
    Exception inSql = assertThrows(Exception.class,
        () -> mismatched.selectExpr("sparkrec_dot(a, b)").collectAsList());
    assertTrue(causes(inSql).contains("sparkrec_dot: its array arguments must have the same length; got arrays of 2"
        + " and 1 elements"), causes(inSql));

    Exception doubles = assertThrows(Exception.class, () -> spark.sql(
        "SELECT sparkrec_cosine(array(1.0D, 2.0D), array(CAST(1 AS FLOAT), CAST(2 AS FLOAT)))").collectAsList());
    assertTrue(causes(doubles).contains("sparkrec_cosine takes array<float> arguments; element 0 of argument 1 is a"
        + " Double (1.0): cast the column to array<float>"), causes(doubles));
  }

  @Test
  void gpuTwinsRowPathEqualsTheCpuClasses() {
    Random random = new Random(7);
    for (int t = 0; t < 200; t++) {
      int n = random.nextInt(70);
      Seq<Float> a = seq(randomFloats(random, n));
      Seq<Float> b = seq(randomFloats(random, n));
      Seq<Float> w = seq(randomFloats(random, n));
      float s = (float) random.nextGaussian();
      assertEquals(new DotUdf().call(a, b), new GpuDotUdf().call(a, b));
      assertEquals(new ScaledDotUdf().call(a, b, s), new GpuScaledDotUdf().call(a, b, s));
      assertEquals(new WeightedL1Udf().call(a, b, w), new GpuWeightedL1Udf().call(a, b, w));
      assertEquals(new CosineUdf().call(a, b), new GpuCosineUdf().call(a, b));
    }
    assertNull(new GpuDotUdf().call(null, seq(1f)));
    assertThrows(IllegalArgumentException.class, () -> new GpuCosineUdf().call(seq(1f), seq()));
  }

  @Test
  void serviceLoaderFindsBothSetsAndTheCpuOneServesThisSession() {
    List<String> names = SparkRecFunctions.available().stream().map(UdfSet::name).sorted()
        .collect(Collectors.toList());
    assertEquals(List.of("cpu", "gpu"), names);
    assertEquals("cpu", SparkRecFunctions.choose(spark).name());
    assertFalse(new GpuUdfSet().usableIn(spark), "no spark.plugins and no plugin jar");
    assertEquals(DotUdf.class, new CpuUdfSet().dot().getClass());
    assertEquals(GpuDotUdf.class, new GpuUdfSet().dot().getClass(), "loadable by name where RapidsUDF is");
    for (String name : SparkRecFunctions.names()) {
      assertTrue(spark.catalog().functionExists(name), name);
    }
  }

  // --- data and reference ---------------------------------------------------------------------------------------

  private static List<Row> rows() {
    Random random = new Random(42);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < 300; r++) {
      int n = r % 10 == 0 ? random.nextInt(3) : 1 + random.nextInt(64);
      rows.add(RowFactory.create(list(randomFloats(random, n)), list(randomFloats(random, n)),
          list(randomFloats(random, n)), (float) random.nextGaussian()));
    }
    rows.add(RowFactory.create(List.of(), List.of(), List.of(), 1f));
    rows.add(RowFactory.create(null, List.of(1f), List.of(1f), 1f));
    rows.add(RowFactory.create(List.of(1f), null, null, null));
    rows.add(RowFactory.create(Arrays.asList(1f, null), List.of(1f, 2f), List.of(1f, 1f), 2f));
    rows.add(RowFactory.create(List.of(1f, Float.NaN), List.of(1f, 2f), List.of(1f, 1f), 2f));
    rows.add(RowFactory.create(List.of(0f, 0f), List.of(1f, 2f), List.of(1f, 1f), 2f));
    rows.add(RowFactory.create(List.of(1e10f, 3f, -1e10f), List.of(1f, 1f, 1f), List.of(1f, 1f, 1f), 0.5f));
    return rows;
  }

  private static Float referenceDot(Float[] a, Float[] b) {
    BigDecimal sum = exactDot(a, b);
    return a == null || b == null || hasNull(a) || hasNull(b) ? null : nanOr(a, b, () -> sum.floatValue());
  }

  private static float referenceScaledDot(Float[] a, Float[] b, float s) {
    return nanOr(a, b, () -> exactDot(a, b).multiply(new BigDecimal(s), EXACT).floatValue());
  }

  private static Float referenceWeightedL1(Float[] a, Float[] b, Float[] w) {
    if (a == null || b == null || w == null || hasNull(a) || hasNull(b) || hasNull(w)) {
      return null;
    }
    return nanOr(a, b, () -> {
      BigDecimal sum = BigDecimal.ZERO;
      for (int j = 0; j < a.length; j++) {
        sum = sum.add(new BigDecimal(a[j]).subtract(new BigDecimal(b[j])).abs().multiply(new BigDecimal(w[j])));
      }
      return sum.floatValue();
    });
  }

  private static Float referenceCosine(Float[] a, Float[] b) {
    if (a == null || b == null || hasNull(a) || hasNull(b)) {
      return null;
    }
    return nanOr(a, b, () -> {
      BigDecimal aa = exactDot(a, a);
      BigDecimal bb = exactDot(b, b);
      if (aa.signum() == 0 || bb.signum() == 0) {
        return Float.NaN;
      }
      return exactDot(a, b).divide(aa.sqrt(EXACT).multiply(bb.sqrt(EXACT)), EXACT).floatValue();
    });
  }

  private static BigDecimal exactDot(Float[] a, Float[] b) {
    BigDecimal sum = BigDecimal.ZERO;
    if (a == null || b == null || hasNull(a) || hasNull(b) || hasNaN(a) || hasNaN(b)) {
      return sum;
    }
    for (int j = 0; j < a.length; j++) {
      sum = sum.add(new BigDecimal(a[j]).multiply(new BigDecimal(b[j])));
    }
    return sum;
  }

  private interface FloatValue {
    float get();
  }

  private static float nanOr(Float[] a, Float[] b, FloatValue value) {
    return hasNaN(a) || hasNaN(b) ? Float.NaN : value.get();
  }

  private static void assertClose(Float expected, Float actual, String what) {
    if (expected == null || actual == null) {
      assertEquals(expected, actual, what);
    } else if (Float.isNaN(expected)) {
      assertTrue(Float.isNaN(actual), what + ": expected NaN, got " + actual);
    } else {
      // Double-precision sums rounded once: within one float ulp of the exact value (cosine: two, for the roots).
      assertTrue(Math.abs(expected - actual) <= 2 * Math.ulp(expected), what + ": expected " + expected + ", got "
          + actual);
    }
  }

  private static Float value(Row row, int field) {
    return row.isNullAt(field) ? null : row.getFloat(field);
  }

  private static Float[] floats(Row row, int field) {
    return row.isNullAt(field) ? null : row.<Float>getList(field).toArray(new Float[0]);
  }

  private static boolean hasNull(Float[] values) {
    return values != null && Arrays.asList(values).contains(null);
  }

  private static boolean hasNaN(Float[] values) {
    if (values == null) {
      return false;
    }
    for (Float v : values) {
      if (v != null && v.isNaN()) {
        return true;
      }
    }
    return false;
  }

  private static Float[] randomFloats(Random random, int n) {
    Float[] values = new Float[n];
    for (int j = 0; j < n; j++) {
      values[j] = (float) random.nextGaussian();
    }
    return values;
  }

  private static List<Float> list(Float[] values) {
    return Arrays.asList(values);
  }

  private static Seq<Float> seq(Float... values) {
    return JavaConverters.asScalaBuffer(Arrays.asList(values)).toSeq();
  }

  private static String causes(Throwable error) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      out.append(t.getMessage()).append(" | ");
    }
    return out.toString();
  }
}
