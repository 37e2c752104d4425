package dev.sparkrec.pipelines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sparkrec.train.EpochReport;
import dev.sparkrec.train.TrainingSummary;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * What {@code train} writes beside a saved model: {@code metrics.json} (the run's figures and, when the model knows
 * how it was trained, its per-epoch history from {@code summary()}) and {@code report.html}, one self-contained page
 * (no scripts, no external files) with the metric table and one inline SVG chart per per-epoch series: training loss
 * and whichever validation metrics the model monitored.
 */
final class TrainingReport {

  static final String METRICS_FILE = "metrics.json";
  static final String HTML_FILE = "report.html";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A per-epoch series of the summary: its title and how to read it from an epoch. */
  private record Series(String name, String title, ToDoubleFunction<EpochReport> value) {}

  private static final List<Series> SERIES = List.of(
      new Series("train_loss", "Training loss", EpochReport::trainLoss),
      new Series("validation_log_loss", "Validation log loss", EpochReport::validationLogLoss),
      new Series("validation_auc", "Validation AUC", EpochReport::validationAuc),
      new Series("validation_rmse", "Validation RMSE", EpochReport::validationRmse));

  /** A bar chart beside the per-epoch curves, e.g. NIS's dimension per feature block. */
  private record Bars(String id, String title, String[] labels, double[] values) implements Section {}

  private final String title;
  private final Map<String, Object> metrics;
  private final TrainingSummary summary;
  /** A table, e.g. FIA's explanations or a benchmark's rows. */
  private record Table(String id, String title, List<String> columns, List<List<Object>> rows) implements Section {}

  /** What follows the metrics and the per-epoch curves, in the order added. */
  private sealed interface Section permits Bars, Table {}

  private final List<Section> sections = new ArrayList<>();

  /** A report titled {@code title} of {@code metrics} (in order) and {@code summary} (null when there is none). */
  TrainingReport(String title, Map<String, Object> metrics, TrainingSummary summary) {
    this.title = title;
    this.metrics = new LinkedHashMap<>(metrics);
    this.summary = summary;
    if (summary != null) {
      this.metrics.put("epochs", summary.epochs());
      this.metrics.put("best_epoch", summary.bestEpoch());
      this.metrics.put("stop_reason", summary.stopReason());
      for (Series s : series()) {
        double last = Double.NaN;
        for (double v : values(s)) {
          last = Double.isFinite(v) ? v : last;
        }
        this.metrics.put("final_" + s.name(), last);
      }
    }
  }

  /** Adds a bar chart of {@code values} (one bar per label) to the page. Returns this. */
  TrainingReport withBars(String id, String title, String[] labels, double[] values) {
    sections.add(new Bars(id, title, labels.clone(), values.clone()));
    return this;
  }

  /** Adds a table with {@code columns} and {@code rows} (one value per column) to the page. Returns this. */
  TrainingReport withTable(String id, String title, List<String> columns, List<List<Object>> rows) {
    for (List<Object> row : rows) {
      if (row.size() != columns.size()) {
        throw new IllegalArgumentException("table " + id + ": a row of " + row.size() + " values for "
            + columns.size() + " columns");
      }
    }
    sections.add(new Table(id, title, List.copyOf(columns),
        rows.stream().map(r -> (List<Object>) new ArrayList<>(r)).toList())); // values may be null
    return this;
  }

  /** Writes the page alone to {@code file} (its figures already written elsewhere, e.g. a benchmark's JSON). */
  Path writeHtml(SparkSession spark, Path file) {
    write(spark, file, html().getBytes(StandardCharsets.UTF_8));
    return file;
  }

  /** Writes {@code metrics.json} and {@code report.html} into {@code dir}; returns the report's path. */
  Path write(SparkSession spark, String dir) {
    Map<String, Object> json = new LinkedHashMap<>(metrics);
    if (summary != null) {
      Map<String, Object> history = new LinkedHashMap<>();
      for (Series s : series()) {
        history.put(s.name(), finiteOrNull(values(s)));
      }
      json.put("history", history);
    }
    List<Table> tables = sections.stream().filter(Table.class::isInstance).map(Table.class::cast).toList();
    if (!tables.isEmpty()) {
      Map<String, Object> byId = new LinkedHashMap<>();
      for (Table t : tables) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (List<Object> row : t.rows()) {
          Map<String, Object> named = new LinkedHashMap<>();
          for (int c = 0; c < t.columns().size(); c++) {
            named.put(t.columns().get(c), row.get(c));
          }
          rows.add(named);
        }
        byId.put(t.id(), rows);
      }
      json.put("tables", byId);
    }
    try {
      write(spark, new Path(dir, METRICS_FILE), JSON.writeValueAsBytes(json));
    } catch (IOException e) {
      throw new JobFailure("cannot write " + new Path(dir, METRICS_FILE) + ": " + JobFailure.firstLine(e));
    }
    Path html = new Path(dir, HTML_FILE);
    write(spark, html, html().getBytes(StandardCharsets.UTF_8));
    return html;
  }

  /** The page: XHTML-compatible markup (every element closed, text escaped), so that XML tools can read it. */
  String html() {
    StringBuilder page = new StringBuilder();
    page.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<title>")
        .append(escape(title)).append("</title>\n<style>\n")
        .append("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:.3em .8em;text-align:left}")
        .append("svg{margin:1em 1em 0 0;border:1px solid #eee}.line{fill:none;stroke:#1f77b4;stroke-width:2}")
        .append(".axis{stroke:#888}.grid{stroke:#eee}text{font-size:11px;fill:#444}\n</style>\n</head>\n<body>\n")
        .append("<h1>").append(escape(title)).append("</h1>\n<h2>Metrics</h2>\n<table id=\"metrics\">\n");
    for (Map.Entry<String, Object> m : metrics.entrySet()) {
      page.append("<tr><th>").append(escape(m.getKey())).append("</th><td>").append(escape(format(m.getValue())))
          .append("</td></tr>\n");
    }
    page.append("</table>\n");
    if (summary != null) {
      page.append("<h2>Per epoch</h2>\n<div id=\"curves\">\n");
      for (Series s : series()) {
        page.append(chart(s.name(), s.title(), values(s)));
      }
      page.append("</div>\n");
    } else if (sections.stream().noneMatch(Table.class::isInstance)) {
      page.append("<p>The model keeps no per-epoch history.</p>\n");
    }
    for (Section section : sections) {
      if (section instanceof Bars b) {
        page.append("<h2>").append(escape(b.title())).append("</h2>\n").append(barChart(b));
      } else if (section instanceof Table t) {
        page.append(table(t));
      }
    }
    return page.append("</body>\n</html>\n").toString();
  }

  private static String table(Table t) {
    StringBuilder html = new StringBuilder("<h2>").append(escape(t.title())).append("</h2>\n<table id=\"")
        .append(escape(t.id())).append("\">\n<tr>");
    for (String column : t.columns()) {
      html.append("<th>").append(escape(column)).append("</th>");
    }
    html.append("</tr>\n");
    for (List<Object> row : t.rows()) {
      html.append("<tr>");
      for (Object value : row) {
        html.append("<td>").append(escape(value == null ? "" : format(value))).append("</td>");
      }
      html.append("</tr>\n");
    }
    return html.append("</table>\n").toString();
  }

  /** The series with at least one finite value. */
  private List<Series> series() {
    List<Series> present = new ArrayList<>();
    if (summary == null || summary.history().isEmpty()) {
      return present;
    }
    for (Series s : SERIES) {
      for (double v : values(s)) {
        if (Double.isFinite(v)) {
          present.add(s);
          break;
        }
      }
    }
    return present;
  }

  private double[] values(Series s) {
    return summary.history().stream().mapToDouble(s.value()).toArray();
  }

  /** A line chart of {@code values} against epochs 1..n: axes, four grid lines with labels, one point per epoch. */
  static String chart(String id, String title, double[] values) {
    int width = 420;
    int height = 240;
    int left = 60;
    int right = 15;
    int top = 30;
    int bottom = 35;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      if (Double.isFinite(v)) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    if (min == max) {
      double pad = min == 0 ? 1 : Math.abs(min) * 0.05;
      min -= pad;
      max += pad;
    }
    double plotWidth = width - left - right;
    double plotHeight = height - top - bottom;
    int n = values.length;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
        + "height=\"%d\" viewBox=\"0 0 %d %d\">\n", escape(id), width, height, width, height));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" style=\"font-size:13px\">%s</text>\n", left,
        escape(title)));
    for (int g = 0; g <= 4; g++) {
      double value = min + (max - min) * g / 4;
      double y = top + plotHeight * (1 - g / 4.0);
      svg.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" />"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", left, y, width - right, y, left - 5, y + 4,
          escape(tick(value))));
    }
    svg.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" />"
        + "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" />\n", left, top, left, height - bottom, left,
        height - bottom, width - right, height - bottom));
    int step = Math.max(1, (int) Math.ceil(n / 10.0));
    StringBuilder points = new StringBuilder();
    StringBuilder dots = new StringBuilder();
    for (int e = 0; e < n; e++) {
      double x = left + (n == 1 ? plotWidth / 2 : plotWidth * e / (n - 1));
      if (e % step == 0 || e == n - 1) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", x,
            height - bottom + 15, e + 1));
      }
      if (!Double.isFinite(values[e])) {
        continue;
      }
      double y = top + plotHeight * (1 - (values[e] - min) / (max - min));
      points.append(points.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
      dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#1f77b4\"><title>epoch "
          + "%d: %s</title></circle>\n", x, y, e + 1, escape(format(values[e]))));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">epoch</text>\n",
        left + plotWidth / 2, height - 3));
    svg.append("<polyline class=\"line\" points=\"").append(points).append("\" />\n").append(dots);
    return svg.append("</svg>\n").toString();
  }

  /** Vertical bars from zero, labelled below and valued above. */
  private static String barChart(Bars b) {
    int n = b.values().length;
    int slot = 36;
    int left = 20;
    int top = 25;
    int plotHeight = 160;
    int width = left * 2 + slot * Math.max(n, 1);
    int height = top + plotHeight + 40;
    double max = 0;
    for (double v : b.values()) {
      max = Math.max(max, Double.isFinite(v) ? v : 0);
    }
    StringBuilder svg = new StringBuilder(String.format(Locale.ROOT, "<svg id=\"%s\" "
        + "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
        escape(b.id()), width, height, width, height));
    for (int i = 0; i < n; i++) {
      double v = Double.isFinite(b.values()[i]) ? b.values()[i] : 0;
      double h = max == 0 ? 0 : plotHeight * v / max;
      double x = left + slot * i + 4;
      double y = top + plotHeight - h;
      svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"#1f77b4\">"
          + "<title>%s: %s</title></rect><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text><text x=\"%.1f\" "
          + "y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, y, slot - 8, h, escape(b.labels()[i]), escape(format(v)),
          x + (slot - 8) / 2.0, y - 4, escape(compact(v)), x + (slot - 8) / 2.0, top + plotHeight + 15,
          escape(b.labels()[i])));
    }
    svg.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" />\n", left,
        top + plotHeight, width - left, top + plotHeight));
    return svg.append("</svg>\n").toString();
  }

  private static String tick(double value) {
    return String.format(Locale.ROOT, "%.4g", value);
  }

  /** Three significant digits, no trailing zeros: a bar's label (its title holds the exact value). */
  private static String compact(double value) {
    return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
  }

  private static String format(Object value) {
    if (value instanceof Double d) { // six significant digits, no trailing zeros
      return Double.isFinite(d) ? new BigDecimal(d).round(new MathContext(6)).stripTrailingZeros().toPlainString()
          : String.valueOf(d);
    }
    return String.valueOf(value);
  }

  private static List<Double> finiteOrNull(double[] values) {
    List<Double> list = new ArrayList<>(values.length);
    for (double v : values) {
      list.add(Double.isFinite(v) ? v : null);
    }
    return list;
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static void write(SparkSession spark, Path file, byte[] bytes) {
    try (OutputStream out = file.getFileSystem(spark.sparkContext().hadoopConfiguration()).create(file, true)) {
      out.write(bytes);
    } catch (IOException e) {
      throw new JobFailure("cannot write " + file + ": " + JobFailure.firstLine(e));
    }
  }
}
