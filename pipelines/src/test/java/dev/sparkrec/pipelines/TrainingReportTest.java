package dev.sparkrec.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.train.EpochReport;
import dev.sparkrec.train.TrainingSummary;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The structure of {@code report.html}: a page that parses as XML, the metric table with every metric, one SVG chart
 * per per-epoch series with at least one finite value (a point per finite value, the polyline through them), and
 * text escaped.
 */
class TrainingReportTest {

  /** Parses a report page; it must be well-formed. */
  static Document parse(String html) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(false);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
  }

  /** The element whose {@code id} is {@code id}, or null. */
  static Element byId(Document page, String tag, String id) {
    NodeList nodes = page.getElementsByTagName(tag);
    for (int i = 0; i < nodes.getLength(); i++) {
      Element e = (Element) nodes.item(i);
      if (id.equals(e.getAttribute("id"))) {
        return e;
      }
    }
    return null;
  }

  @Test
  void pageHasTheMetricTableAndOneChartPerMonitoredSeries() throws Exception {
    List<EpochReport> history = new ArrayList<>();
    double[] auc = {0.70, Double.NaN, 0.74, 0.75};
    for (int e = 1; e <= 4; e++) {
      history.add(new EpochReport(e, 1.0 / e, 0.6 - 0.01 * e, auc[e - 1], 1.5, 1e4, 0.01, e == 4));
    }
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("model", "afn <&> \"quoted\"");
    metrics.put("input_rows", 1000L);
    TrainingReport report = new TrainingReport("AFN & friends", metrics,
        TrainingSummary.of(history, 4, TrainingSummary.MAX_ITER));
    Document page = parse(report.html());

    assertEquals("AFN & friends", page.getElementsByTagName("title").item(0).getTextContent());
    Element table = byId(page, "table", "metrics");
    assertNotNull(table);
    NodeList rows = table.getElementsByTagName("tr");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < rows.getLength(); i++) {
      names.add(((Element) rows.item(i)).getElementsByTagName("th").item(0).getTextContent());
    }
    assertEquals(List.of("model", "input_rows", "epochs", "best_epoch", "stop_reason", "final_train_loss",
        "final_validation_log_loss", "final_validation_auc"), names);
    assertEquals("afn <&> \"quoted\"", ((Element) rows.item(0)).getElementsByTagName("td").item(0).getTextContent());
    assertEquals("0.75", ((Element) rows.item(7)).getElementsByTagName("td").item(0).getTextContent());

    assertEquals(3, page.getElementsByTagName("svg").getLength(), "loss, log loss and AUC; no RMSE (all NaN)");
    assertNull(byId(page, "svg", "validation_rmse"));
    Element loss = byId(page, "svg", "train_loss");
    assertEquals(4, loss.getElementsByTagName("circle").getLength());
    String points = ((Element) loss.getElementsByTagName("polyline").item(0)).getAttribute("points");
    assertEquals(4, points.split(" ").length);
    assertTrue(points.startsWith("60.0,30.0"), "the first (highest) loss at the top left: " + points);
    Element aucChart = byId(page, "svg", "validation_auc");
    assertEquals(3, aucChart.getElementsByTagName("circle").getLength(), "the NaN epoch has no point");
  }

  @Test
  void aModelWithoutHistoryGetsTheTableAndNoCharts() throws Exception {
    Document page = parse(new TrainingReport("MF", Map.of("model", "mf"), null).html());
    assertEquals(0, page.getElementsByTagName("svg").getLength());
    assertEquals(1, byId(page, "table", "metrics").getElementsByTagName("tr").getLength());
  }

  @Test
  void aConstantOrSingleEpochSeriesStillDrawsInsideThePlot() throws Exception {
    Document chart = parse(TrainingReport.chart("c", "constant", new double[] {0.5}));
    String points = ((Element) chart.getElementsByTagName("polyline").item(0)).getAttribute("points");
    String[] xy = points.split(",");
    double x = Double.parseDouble(xy[0]);
    double y = Double.parseDouble(xy[1]);
    assertTrue(x > 60 && x < 405 && y > 30 && y < 205, points);
    assertFalse(points.contains("NaN") || points.contains("Infinity"), points);
  }

  @Test
  void barsGetOneRectanglePerLabelScaledToTheLargest() throws Exception {
    Document page = parse(new TrainingReport("NIS", Map.of("model", "fm"), null)
        .withBars("dims", "dimension per block", new String[] {"b0", "b1", "b2"}, new double[] {8, 4, 0}).html());
    Element bars = byId(page, "svg", "dims");
    NodeList rects = bars.getElementsByTagName("rect");
    assertEquals(3, rects.getLength());
    double tallest = Double.parseDouble(((Element) rects.item(0)).getAttribute("height"));
    assertEquals(tallest / 2, Double.parseDouble(((Element) rects.item(1)).getAttribute("height")), 1e-9);
    assertEquals(0, Double.parseDouble(((Element) rects.item(2)).getAttribute("height")));
    assertTrue(bars.getTextContent().contains("b2"));
  }

  @Test
  void tablesListEveryRowEscapedAndGoToTheJsonByName(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    TrainingReport report = new TrainingReport("FIA", Map.of("model", "mf"), null)
        .withTable("explanations", "Why", java.util.List.of("item", "because"),
            java.util.List.of(java.util.List.of(7, "rated <b> & 5"), java.util.Arrays.asList(9, null)));
    Document page = parse(report.html());
    NodeList lines = byId(page, "table", "explanations").getElementsByTagName("tr");
    assertEquals(3, lines.getLength());
    assertEquals("7rated <b> & 5", lines.item(1).getTextContent());
    assertEquals("9", lines.item(2).getTextContent(), "a missing value is an empty cell");
    assertFalse(report.html().contains("keeps no per-epoch history"), "a table is the page's content");

    report.write(dev.sparkrec.testing.SparkTestSession.get(), dir.toString());
    com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(dir.resolve(TrainingReport.METRICS_FILE).toFile());
    assertEquals("rated <b> & 5", json.get("tables").get("explanations").get(0).get("because").asText());
    assertTrue(json.get("tables").get("explanations").get(1).get("because").isNull());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> report.withTable("bad", "bad", java.util.List.of("a", "b"), java.util.List.of(java.util.List.of(1))));
  }
}
