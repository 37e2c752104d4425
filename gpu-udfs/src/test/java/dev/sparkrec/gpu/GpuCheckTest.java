package dev.sparkrec.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts of the GPU check that need no GPU: its data (random and edge rows) goes through the four functions, the
 * row comparison accepts equal results and rejects a difference, and the plan check flags CPU nodes.
 */
class GpuCheckTest {

  @TempDir
  Path dir;

  @Test
  void dataComparisonAndPlanCheckWorkOnTheCpu() {
    SparkSession spark = SparkTestSession.get();
    assertEquals("cpu", SparkRecFunctions.register(spark));
    String data = dir.resolve("vectors.parquet").toString();
    String edges = dir.resolve("edges.parquet").toString();
    GpuCheck.writeData(spark, data, edges, 500, 8);
    Dataset<Row> scored = GpuCheck.scored(spark.read().parquet(data).unionByName(spark.read().parquet(edges)))
        .orderBy("id");
    List<Row> once = scored.collectAsList();
    assertEquals(508, once.size());
    assertTrue(GpuCheck.compare(once, scored.collectAsList()).contains("2032 of 2032 values bit-identical"));

    Row edge = once.get(507); // 1e10 + 3 − 1e10, summed in double
    assertEquals(3f, edge.getFloat(1));
    assertTrue(once.get(500).isNullAt(1) && once.get(502).isNullAt(2), "null array, null scale");
    assertEquals(0f, once.get(503).getFloat(1), "empty arrays");
    assertTrue(Float.isNaN(once.get(503).getFloat(4)), "cosine of empty arrays");

    List<Row> changed = new java.util.ArrayList<>(once);
    Row first = once.get(0);
    changed.set(0, org.apache.spark.sql.RowFactory.create(first.getLong(0), first.getFloat(1) + 1e-3f,
        first.get(2), first.get(3), first.get(4)));
    IllegalStateException error = assertThrows(IllegalStateException.class, () -> GpuCheck.compare(changed, once));
    assertTrue(error.getMessage().startsWith("GPU-CHECK FAIL: row id 0, dot"), error.getMessage());

    String cpuPlan = scored.queryExecution().executedPlan().toString();
    assertTrue(GpuCheck.cpuNodesEvaluatingSparkRecFunctions(cpuPlan).stream().allMatch(l -> l.contains("Project")), cpuPlan);
    assertEquals(2, GpuCheck.cpuNodesEvaluatingSparkRecFunctions(cpuPlan).size(), "one Project per union branch: " + cpuPlan);
    java.util.function.Supplier<Dataset<Row>> query = () -> GpuCheck.scored(spark.read().parquet(edges));
    try {
      assertEquals(8, GpuCheck.runOn(spark, false, query).rows().size(), "a CPU plan passes the CPU check");
      IllegalStateException notOnGpu = assertThrows(IllegalStateException.class,
          () -> GpuCheck.runOn(spark, true, query));
      assertTrue(notOnGpu.getMessage().startsWith("GPU-CHECK FAIL: SparkRec functions evaluated by CPU nodes"),
          notOnGpu.getMessage());
    } finally {
      spark.conf().unset("spark.rapids.sql.enabled");
    }
    String adaptive = "AdaptiveSparkPlan isFinalPlan=true\n+- == Final Plan ==\n   GpuProject [sparkrec_dot(a#1, b#2) AS dot#5]\n"
        + "+- == Initial Plan ==\n   Project [sparkrec_dot(a#1, b#2) AS dot#5]";
    assertTrue(GpuCheck.cpuNodesEvaluatingSparkRecFunctions(GpuCheck.finalPlan(adaptive)).isEmpty(), adaptive);
    assertEquals(1, GpuCheck.cpuNodesEvaluatingSparkRecFunctions(adaptive).size());
    GpuCheck.requireClose(RowFactory.create(1.0, 1e9), RowFactory.create(1.0 + 1e-9, 1e9 + 100), "close sums");
    assertThrows(IllegalStateException.class,
        () -> GpuCheck.requireClose(RowFactory.create(1.0), RowFactory.create(1.001), "far sums"));

    String gpuPlan = "GpuColumnarToRow false\n+- GpuProject [id#0L, sparkrec_dot(a#1, b#2) AS dot#5]\n"
        + "   +- GpuFileGpuScan parquet [id#0L,a#1,b#2]";
    assertTrue(GpuCheck.cpuNodesEvaluatingSparkRecFunctions(gpuPlan).isEmpty());
  }
}
