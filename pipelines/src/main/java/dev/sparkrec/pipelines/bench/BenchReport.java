package dev.sparkrec.pipelines.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The result of one benchmark run, in SparkRec's benchmark convention:
 * {@code {"suite": .., "data": .., "blas": .., "rows": [{"system": .., metrics..}, ..]}} with
 * snake_case metric keys. A system that throws becomes a row with an {@code "error"} key, and the
 * run as a whole then counts as failed.
 */
public final class BenchReport {

  private static final Logger LOG = LoggerFactory.getLogger(BenchReport.class);

  private final String suite;
  private final String data;
  private final String blas;
  private final List<Map<String, Object>> rows = new ArrayList<>();

  public BenchReport(String suite, String data, String blas) {
    this.suite = suite;
    this.data = data;
    this.blas = blas;
  }

  /**
   * Runs one system and records its metrics (keys in insertion order, after {@code "system"}); an
   * exception is recorded as the row's {@code "error"} and logged, and the run goes on.
   */
  public Map<String, Object> measure(String system, Supplier<Map<String, Object>> run) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("system", system);
    try {
      row.putAll(run.get());
    } catch (RuntimeException e) {
      LOG.error("Benchmark system '{}' failed", system, e);
      row.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    rows.add(row);
    return row;
  }

  public List<Map<String, Object>> rows() {
    return rows;
  }

  /** True when any system failed. */
  public boolean failed() {
    return rows.stream().anyMatch(r -> r.containsKey("error"));
  }

  /** The report as the convention's JSON object. */
  public Map<String, Object> toJsonObject() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("suite", suite);
    json.put("data", data);
    json.put("blas", blas);
    json.put("rows", rows);
    return json;
  }

  public void writeJson(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), toJsonObject());
  }

  /** A readable table: one line per system, one column per metric seen in any row. */
  public String toTable() {
    Set<String> columns = new LinkedHashSet<>();
    rows.forEach(r -> columns.addAll(r.keySet()));
    List<String> header = new ArrayList<>(columns);
    List<List<String>> cells = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      List<String> line = new ArrayList<>();
      for (String column : header) {
        line.add(format(row.get(column)));
      }
      cells.add(line);
    }
    int[] widths = new int[header.size()];
    for (int c = 0; c < header.size(); c++) {
      widths[c] = header.get(c).length();
      for (List<String> line : cells) {
        widths[c] = Math.max(widths[c], line.get(c).length());
      }
    }
    StringBuilder out = new StringBuilder();
    out.append("suite ").append(suite).append("  blas ").append(blas);
    if (data != null) {
      out.append("  data ").append(data);
    }
    out.append('\n');
    appendLine(out, header, widths);
    for (List<String> line : cells) {
      appendLine(out, line, widths);
    }
    return out.toString();
  }

  private static void appendLine(StringBuilder out, List<String> values, int[] widths) {
    for (int c = 0; c < values.size(); c++) {
      String v = values.get(c);
      out.append(c == 0 ? String.format("%-" + widths[c] + "s", v) : String.format("  %" + widths[c] + "s", v));
    }
    out.append('\n');
  }

  private static String format(Object value) {
    if (value == null) {
      return "-";
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      return Math.abs(d) >= 1000 || d == Math.rint(d) ? String.format(Locale.ROOT, "%.1f", d)
          : String.format(Locale.ROOT, "%.4f", d);
    }
    if (value instanceof double[]) {
      double[] values = (double[]) value;
      StringJoiner joined = new StringJoiner(", ", "[", "]");
      for (double v : values) {
        joined.add(format(v));
      }
      return joined.toString();
    }
    if (value instanceof long[]) {
      return Arrays.toString((long[]) value);
    }
    if (value instanceof int[]) {
      return Arrays.toString((int[]) value);
    }
    return String.valueOf(value);
  }
}
