package dev.sparkrec.pipelines;

import static dev.sparkrec.pipelines.CommandRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkrec.data.SampleData;
import dev.sparkrec.nis.EmbeddingDimensionsModel;
import dev.sparkrec.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code search-dims} on a Delta table: the saved dimensions meet the budget, record the input's version, draw a
 * chart per table, repeat exactly on a rerun, and {@code train --embedding-dims} stores only what they keep.
 */
class SearchDimsJobTest {

  private static final String SMALL_FM = "embeddingDim=8 batchSize=256 stepSize=0.01";

  @TempDir
  static Path dir;

  private static SparkSession spark;
  private static String clicks;

  @BeforeAll
  static void data() {
    spark = SparkTestSession.get();
    clicks = dir.resolve("clicks").toString();
    SampleData.ctrTrain(spark, ProjectPaths.sampleData()).where("rowId < 3000").write().format("delta")
        .save(clicks);
  }

  private static String[] searchFm(String out, String... extra) {
    List<String> args = new ArrayList<>(List.of("search-dims", "--model", "fm", "--input", clicks,
        "--categorical", "C0,C1,C2,C3,C4,C5,C6,C7", "--numeric", "I0,I1", "--seed", "3", "--params", SMALL_FM,
        "--num-blocks", "4", "--warm-start-epochs", "1", "--search-epochs", "1", "--budget-fraction", "0.25",
        "--dims-out", out));
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  @Test
  void theSearchMeetsItsBudgetRepeatsExactlyAndTrainStoresOnlyWhatItKeeps() throws Exception {
    String dims = dir.resolve("fm-dims").toString();
    CommandRun searched = run(searchFm(dims));
    assertEquals(0, searched.status(), searched.printed());
    EmbeddingDimensionsModel saved = EmbeddingDimensionsModel.load(dims);
    long before = saved.embeddingParametersBefore();
    long after = saved.embeddingParametersAfter();
    assertTrue(after <= before / 4 + 1 && after > 0, before + " -> " + after);
    assertTrue(searched.out().contains("embedding entries " + before + " -> " + after), searched.out());
    assertEquals(new JobInput(clicks, "delta", 0L, 3000), TrainingRecord.read(spark, dims).input());

    JsonNode metrics = new ObjectMapper().readTree(Path.of(dims, TrainingReport.METRICS_FILE).toFile());
    assertEquals(after, metrics.get("embedding_parameters_after").asLong());
    assertEquals(2, metrics.get("history").get("train_loss").size(), "warm start + search epochs");
    org.w3c.dom.Document page = TrainingReportTest.parse(
        Files.readString(Path.of(dims, TrainingReport.HTML_FILE)));
    String table = saved.tables().get(0);
    assertEquals(4, TrainingReportTest.byId(page, "svg", "dims_" + table).getElementsByTagName("rect").getLength(),
        "one bar per block");

    String again = dir.resolve("fm-dims-again").toString();
    assertEquals(0, run(searchFm(again)).status());
    EmbeddingDimensionsModel repeated = EmbeddingDimensionsModel.load(again);
    assertArrayEquals(saved.blockDimensions(table), repeated.blockDimensions(table), "same seed, same search");
    assertEquals(saved.selectionWeights().collectAsList(), repeated.selectionWeights().collectAsList());

    String model = dir.resolve("fm-mixed").toString();
    CommandRun trained = run("train", "--model", "fm", "--input", clicks, "--categorical", "C0,C1,C2,C3,C4,C5,C6,C7",
        "--numeric", "I0,I1", "--max-iter", "2", "--seed", "3", "--params", SMALL_FM, "--embedding-dims", dims,
        "--model-out", model);
    assertEquals(0, trained.status(), trained.printed());
    JsonNode trainedMetrics = new ObjectMapper().readTree(Path.of(model, TrainingReport.METRICS_FILE).toFile());
    assertEquals(after, trainedMetrics.get("embedding_parameters").asLong(),
        "the retrained FM stores the searched entries");
  }

  @Test
  void ratingModelsSearchTheirUserAndItemTables() {
    String ratings = dir.resolve("ratings").toString();
    SampleData.ratings(spark, ProjectPaths.sampleData()).where("user < 100").write().format("delta").save(ratings);
    String dims = dir.resolve("mf-dims").toString();
    CommandRun searched = run("search-dims", "--model", "mf", "--input", ratings, "--seed", "1",
        "--params", "rank=8", "--num-blocks", "3", "--warm-start-epochs", "1", "--search-epochs", "2",
        "--threshold", "0.5", "--dims-out", dims);
    assertEquals(0, searched.status(), searched.printed());
    EmbeddingDimensionsModel saved = EmbeddingDimensionsModel.load(dims);
    assertEquals(2, saved.tables().size(), "users and items: " + saved.tables());
    for (String table : saved.tables()) {
      assertEquals(3, saved.blockDimensions(table).length);
      assertTrue(searched.out().contains(table + " dims per block"), searched.out());
    }
  }

  @Test
  void badOptionsAndInputsAreOneLine() {
    String out = dir.resolve("bad").toString();
    CommandRun both = run(searchFm(out, "--threshold", "0.2"));
    assertEquals(2, both.status(), both.printed());
    assertTrue(both.err().contains("one of --budget, --budget-fraction and --threshold"), both.err());

    CommandRun l1 = run(searchFm(out, "--l1", "-1"));
    assertEquals(2, l1.status(), l1.printed());
    assertTrue(l1.err().contains("--l1: -1.0 is not allowed"), l1.err());

    CommandRun column = run(searchFm(out, "--validation-col", "holdout"));
    assertEquals(1, column.status(), column.printed());
    assertTrue(column.err().contains("--validation-col holdout is not a column of " + clicks), column.err());

    CommandRun missing = run("train", "--model", "fm", "--input", clicks, "--categorical", "C0",
        "--embedding-dims", dir.resolve("nothing-here").toString(), "--model-out", out);
    assertEquals(1, missing.status(), missing.printed());
    assertTrue(missing.err().contains("embedding dimensions " + dir.resolve("nothing-here") + " cannot be loaded"),
        missing.err());
  }
}
