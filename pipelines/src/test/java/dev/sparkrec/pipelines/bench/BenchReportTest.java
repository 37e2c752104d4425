package dev.sparkrec.pipelines.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

  @TempDir
  Path dir;

  private static Map<String, Object> metrics(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void writesTheConventionJsonWithRowsInOrder() throws Exception {
    BenchReport report = new BenchReport("ctr-frappe", "/data", "dev.ludovic.netlib.blas.Java11BLAS");
    report.measure("afn", () -> metrics("test_auc", 0.98, "epochs", 7));
    report.measure("mllib-lr", () -> metrics("test_auc", 0.93));
    Path file = dir.resolve("sub/report.json");
    report.writeJson(file);

    JsonNode json = new ObjectMapper().readTree(file.toFile());
    assertEquals("ctr-frappe", json.get("suite").asText());
    assertEquals("/data", json.get("data").asText());
    assertEquals("dev.ludovic.netlib.blas.Java11BLAS", json.get("blas").asText());
    assertEquals(2, json.get("rows").size());
    JsonNode first = json.get("rows").get(0);
    assertEquals("afn", first.get("system").asText());
    assertEquals(0.98, first.get("test_auc").asDouble(), 0.0);
    assertEquals(7, first.get("epochs").asInt());
    assertEquals("system", first.fieldNames().next(), "system comes first");
    assertFalse(report.failed());
  }

  @Test
  void aFailingSystemIsRecordedAndTheRunGoesOn() {
    BenchReport report = new BenchReport("blas", null, "x");
    report.measure("broken", () -> {
      throw new IllegalStateException("no data");
    });
    report.measure("fine", () -> metrics("gflops", 12.5));
    assertTrue(report.failed());
    assertEquals("IllegalStateException: no data", report.rows().get(0).get("error"));
    assertEquals(12.5, report.rows().get(1).get("gflops"));
  }

  @Test
  void tablePrintsEveryMetricColumn() {
    BenchReport report = new BenchReport("blas", null, "JNIBLAS");
    report.measure("a", () -> metrics("gflops", 12.3456));
    report.measure("b", () -> metrics("reps", 5));
    String table = report.toTable();
    assertTrue(table.contains("system") && table.contains("gflops") && table.contains("reps"), table);
    assertTrue(table.contains("12.3456"), table);
    assertEquals(4, table.split("\n").length, table);
  }

  @Test
  void tablePrintsArraysByTheirValues() {
    BenchReport report = new BenchReport("fia-ml100k", null, "JNIBLAS");
    report.measure("ncf", () -> metrics("pearson_r_ci95", new double[] {0.5123456, 0.9}));
    report.measure("mf", () -> metrics("seeds", new long[] {17, 18}));
    String table = report.toTable();
    assertTrue(table.contains("[0.5123, 0.9000]"), table);
    assertTrue(table.contains("[17, 18]"), table);
  }
}
