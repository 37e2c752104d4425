package dev.sparkrec.gpu;

import static org.apache.spark.sql.functions.call_udf;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.sum;

import dev.sparkrec.ml.ArrayFunctions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark job of {@code gpu-udfs/scripts/gpu-check.sh}: run on a machine with an NVIDIA GPU, in a session started
 * with the RAPIDS SQL plugin ({@code spark.plugins=com.nvidia.spark.SQLPlugin}, {@code spark.rapids.sql.explain=ALL}).
 *
 * <ol>
 *   <li>Writes Parquet data: {@code rows} rows of two {@code dim}-float arrays and a float scale (deterministic
 *       values), and a small table of edge rows (null arrays, null elements, empty arrays, NaN, zero vectors).</li>
 *   <li>Registers the functions and requires the GPU twins ({@link SparkRecFunctions#register} says "gpu").</li>
 *   <li>Requires every plan node that evaluates a SparkRec function to be a GPU node.</li>
 *   <li>Runs the four functions over the edge rows and the first {@code compareRows} rows with
 *       {@code spark.rapids.sql.enabled} true, then false, in the same session, and compares row by row: nulls and
 *       NaNs must agree, values within 4 float ulps (the GPU sums in another order); counts the bit-identical ones.</li>
 *   <li>Requires arrays of different lengths to fail on the GPU with SparkRec's message.</li>
 *   <li>Times {@code sum} of each function over all rows, GPU then CPU, three times each, and prints the medians and
 *       the CPU/GPU ratio.</li>
 * </ol>
 * Prints {@code GPU-CHECK PASS} at the end, or fails with {@code GPU-CHECK FAIL: ...}.
 *
 * <p>Arguments: {@code dir} (a scratch folder), {@code rows} (default 10⁷), {@code dim} (default 64),
 * {@code compareRows} (default 10⁵).
 */
public final class GpuCheck {

  private static final String[] COLUMNS = {"dot", "scaled", "l1", "cosine"};

  private GpuCheck() {}

  public static void main(String[] args) {
    String dir = args.length > 0 ? args[0] : "/tmp/sparkrec-gpu-check";
    long rows = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
    int dim = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    int compareRows = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
    SparkSession spark = SparkSession.builder().appName("sparkrec-gpu-check").getOrCreate();
    try {
      run(spark, dir, rows, dim, compareRows);
      System.out.println("GPU-CHECK PASS");
    } finally {
      spark.stop();
    }
  }

  static void run(SparkSession spark, String dir, long rows, int dim, int compareRows) {
    spark.conf().set("spark.rapids.sql.enabled", "true");
    String data = dir + "/vectors.parquet";
    String edges = dir + "/edges.parquet";
    writeData(spark, data, edges, rows, dim);

    String registered = SparkRecFunctions.register(spark);
    System.out.println("gpu-check: registered the " + registered + " UDFs");
    require("gpu".equals(registered), "SparkRecFunctions.register chose the " + registered + " classes; the RAPIDS "
        + "plugin jar must be on the classpath and spark.plugins must name " + RapidsAccelerator.SQL_PLUGIN_CLASS);

    Supplier<Dataset<Row>> sample = () -> scored(spark.read().parquet(data).where(col("id").lt(compareRows))
        .unionByName(spark.read().parquet(edges))).orderBy("id");
    List<Row> gpu = runOn(spark, true, sample).rows();
    List<Row> cpu = runOn(spark, false, sample).rows();
    spark.conf().set("spark.rapids.sql.enabled", "true");
    compare(gpu, cpu);

    boolean failed = false;
    try {
      spark.sql("SELECT sparkrec_dot(a, slice(b, 1, " + (dim - 1) + ")) FROM parquet.`" + data + "` LIMIT 10")
          .collectAsList();
    } catch (Exception e) {
      failed = messages(e).contains("must have the same length");
      System.out.println("gpu-check: mismatched lengths on the GPU: " + firstLine(messages(e)));
    }
    require(failed, "arrays of different lengths did not fail with SparkRec's message on the GPU");

    // A new Dataset for every run: one planned under the current spark.rapids.sql.enabled, and no shuffle output of
    // an earlier run to reuse.
    Supplier<Dataset<Row>> sums = () -> spark.read().parquet(data).select(functions(COLUMNS))
        .agg(sum(col("dot")), sum(col("scaled")), sum(col("l1")), sum(col("cosine")));
    double[] gpuSeconds = new double[3];
    double[] cpuSeconds = new double[3];
    Row gpuSums = runOn(spark, true, sums).rows().get(0); // warm-ups
    Row cpuSums = runOn(spark, false, sums).rows().get(0);
    requireClose(gpuSums, cpuSums, "the sums over all rows on the GPU and on the CPU");
    for (int r = 0; r < 3; r++) {
      Run onGpu = runOn(spark, true, sums);
      Run onCpu = runOn(spark, false, sums);
      requireClose(onGpu.rows().get(0), gpuSums, "a rerun's sums on the GPU and the first run's");
      requireClose(onCpu.rows().get(0), cpuSums, "a rerun's sums on the CPU and the first run's");
      gpuSeconds[r] = onGpu.seconds();
      cpuSeconds[r] = onCpu.seconds();
    }
    spark.conf().set("spark.rapids.sql.enabled", "true");
    System.out.println("gpu-check: sums over all rows (dot, scaled, l1, cosine): GPU " + gpuSums + ", CPU "
        + cpuSums);
    double gpuMedian = median(gpuSeconds);
    double cpuMedian = median(cpuSeconds);
    System.out.printf("gpu-check: %d rows of %d-float vectors, sum of the four functions (Parquet scan included):"
        + " GPU median %.2f s %s, CPU median %.2f s %s, CPU/GPU ratio %.1f%n", rows, dim, gpuMedian,
        Arrays.toString(gpuSeconds), cpuMedian, Arrays.toString(cpuSeconds), cpuMedian / gpuMedian);
  }

  /** The rows of one run and its seconds. */
  record Run(List<Row> rows, double seconds) {}

  /**
   * Runs {@code query} planned with {@code spark.rapids.sql.enabled} set to {@code gpu}, and checks the plan it ran
   * (the final adaptive plan): on the GPU every node evaluating a SparkRec function is a GPU node, on the CPU no node
   * is a GPU node.
   */
  static Run runOn(SparkSession spark, boolean gpu, Supplier<Dataset<Row>> query) {
    spark.conf().set("spark.rapids.sql.enabled", Boolean.toString(gpu));
    Dataset<Row> planned = query.get();
    long start = System.nanoTime();
    List<Row> rows = planned.collectAsList();
    double seconds = (System.nanoTime() - start) / 1e9;
    String plan = finalPlan(planned.queryExecution().executedPlan().toString());
    if (gpu) {
      List<String> onCpu = cpuNodesEvaluatingSparkRecFunctions(plan);
      require(plan.contains("sparkrec_") && onCpu.isEmpty(), "SparkRec functions evaluated by CPU nodes: " + onCpu
          + "\n" + plan);
    } else {
      require(!plan.contains("Gpu"), "a GPU node with spark.rapids.sql.enabled=false:\n" + plan);
    }
    System.out.println("gpu-check: executed plan with spark.rapids.sql.enabled=" + gpu + ":\n" + plan);
    return new Run(rows, seconds);
  }

  /** An executed plan without the initial plan that an adaptive plan prints after its final one. */
  static String finalPlan(String plan) {
    int initial = plan.indexOf("== Initial Plan ==");
    return initial < 0 ? plan : plan.substring(0, initial);
  }

  /** The lines of a physical plan that evaluate a SparkRec function in a node that is not a RAPIDS GPU node. */
  static List<String> cpuNodesEvaluatingSparkRecFunctions(String plan) {
    List<String> lines = new ArrayList<>();
    for (String line : plan.split("\n")) {
      String node = line.trim().replaceFirst("^[+:\\- *(0-9)]*", "");
      if (line.contains("sparkrec_") && !node.startsWith("Gpu")) {
        lines.add(line.trim());
      }
    }
    return lines;
  }

  /** {@code id} and the four functions (dot, scaled, l1, cosine) of {@code input}'s columns a, b and s. */
  static Dataset<Row> scored(Dataset<Row> input) {
    Column[] columns = new Column[5];
    columns[0] = col("id");
    System.arraycopy(functions(COLUMNS), 0, columns, 1, 4);
    return input.select(columns);
  }

  /** The four functions over columns a, b and s, named by {@code names}. */
  private static Column[] functions(String... names) {
    return new Column[] {
        call_udf(ArrayFunctions.DOT, col("a"), col("b")).as(names[0]),
        call_udf(ArrayFunctions.SCALED_DOT, col("a"), col("b"), col("s")).as(names[1]),
        call_udf(ArrayFunctions.WEIGHTED_L1, col("a"), col("b"), col("b")).as(names[2]),
        call_udf(ArrayFunctions.COSINE, col("a"), col("b")).as(names[3])};
  }

  static void writeData(SparkSession spark, String data, String edges, long rows, int dim) {
    String element = "CAST(((id * 2654435761 + j * 40503) % 1000003) / 1000003.0 - 0.5 AS FLOAT)";
    String other = "CAST(((id * 40503 + j * 2654435761) % 999983) / 999983.0 - 0.5 AS FLOAT)";
    spark.range(rows).select(col("id"),
            expr("transform(sequence(0, " + (dim - 1) + "), j -> " + element + ")").as("a"),
            expr("transform(sequence(0, " + (dim - 1) + "), j -> " + other + ")").as("b"),
            expr("CAST((id % 1000) / 100.0 - 5 AS FLOAT)").as("s"))
        .write().mode(SaveMode.Overwrite).parquet(data);
    String f = "CAST(%s AS FLOAT)";
    String[][] edgeRows = { // a, b, s
        {"NULL", "array(" + f.formatted(1) + ")", f.formatted(1)},
        {"array(" + f.formatted(1) + ")", "NULL", f.formatted(1)},
        {"array(" + f.formatted(1) + ", " + f.formatted(2) + ")", "array(" + f.formatted(3) + ", " + f.formatted(4)
            + ")", "NULL"},
        {"CAST(array() AS ARRAY<FLOAT>)", "CAST(array() AS ARRAY<FLOAT>)", f.formatted(2)},
        {"array(" + f.formatted(1) + ", " + f.formatted("NULL") + ")", "array(" + f.formatted(3) + ", "
            + f.formatted(4) + ")", f.formatted(1)},
        {"array(" + f.formatted("'NaN'") + ", " + f.formatted(2) + ")", "array(" + f.formatted(3) + ", "
            + f.formatted(4) + ")", f.formatted(1)},
        {"array(" + f.formatted(0) + ", " + f.formatted(0) + ")", "array(" + f.formatted(3) + ", " + f.formatted(4)
            + ")", f.formatted(1)},
        {"array(" + f.formatted("1e10") + ", " + f.formatted(3) + ", " + f.formatted("-1e10") + ")", "array("
            + f.formatted(1) + ", " + f.formatted(1) + ", " + f.formatted(1) + ")", f.formatted(0.5)}};
    List<String> selects = new ArrayList<>();
    for (int r = 0; r < edgeRows.length; r++) {
      selects.add("SELECT CAST(" + (rows + 1 + r) + " AS BIGINT) AS id, " + edgeRows[r][0] + " AS a, "
          + edgeRows[r][1] + " AS b, " + edgeRows[r][2] + " AS s");
    }
    spark.sql(String.join(" UNION ALL ", selects)).repartition(1).write().mode(SaveMode.Overwrite).parquet(edges);
  }

  static String compare(List<Row> gpu, List<Row> cpu) {
    require(gpu.size() == cpu.size(), "GPU gave " + gpu.size() + " rows, CPU " + cpu.size());
    long identical = 0;
    long values = 0;
    int worstUlps = 0;
    for (int r = 0; r < gpu.size(); r++) {
      Row g = gpu.get(r);
      Row c = cpu.get(r);
      require(g.getLong(0) == c.getLong(0), "row order differs at " + r);
      for (int f = 1; f < g.size(); f++) {
        values++;
        String where = "row id " + g.getLong(0) + ", " + COLUMNS[f - 1];
        if (g.isNullAt(f) || c.isNullAt(f)) {
          require(g.isNullAt(f) && c.isNullAt(f), where + ": GPU " + g.get(f) + ", CPU " + c.get(f));
          identical++;
          continue;
        }
        float x = g.getFloat(f);
        float y = c.getFloat(f);
        if (Float.isNaN(x) || Float.isNaN(y)) {
          require(Float.isNaN(x) && Float.isNaN(y), where + ": GPU " + x + ", CPU " + y);
          identical++;
          continue;
        }
        int ulps = Math.abs(Float.floatToIntBits(x) - Float.floatToIntBits(y));
        boolean close = ulps <= 4 || Math.abs(x - y) <= 1e-6f;
        require(close, where + ": GPU " + x + ", CPU " + y);
        worstUlps = Math.max(worstUlps, ulps);
        identical += x == y ? 1 : 0;
      }
    }
    String summary = String.format("GPU vs CPU over %d rows: %d of %d values bit-identical, the rest within %d float"
        + " ulps", gpu.size(), identical, values, worstUlps);
    System.out.println("gpu-check: " + summary);
    return summary;
  }

  /** Fails unless the doubles of {@code a} and {@code b} agree to a relative 10⁻⁶ (sums taken in another order). */
  static void requireClose(Row a, Row b, String what) {
    require(a.size() == b.size(), what + ": " + a + " and " + b);
    for (int k = 0; k < a.size(); k++) {
      double x = a.getDouble(k);
      double y = b.getDouble(k);
      require(Math.abs(x - y) <= 1e-6 * Math.max(1.0, Math.max(Math.abs(x), Math.abs(y))), what + " differ: " + a
          + " and " + b);
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static String messages(Throwable error) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      out.append(t.getMessage()).append('\n');
    }
    return out.toString();
  }

  private static String firstLine(String text) {
    for (String line : text.split("\n")) {
      if (line.contains("same length")) {
        return line.trim();
      }
    }
    return text.split("\n")[0];
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException("GPU-CHECK FAIL: " + message);
    }
  }
}
