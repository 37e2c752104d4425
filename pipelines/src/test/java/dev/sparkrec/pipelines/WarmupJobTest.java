package dev.sparkrec.pipelines;

import static dev.sparkrec.pipelines.CommandRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.data.SampleData;
import dev.sparkrec.resus.RESUSModel;
import dev.sparkrec.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --model resus} on the warm users, then {@code warmup}: the saved RESUS pipeline adapts the users of a
 * Delta table; reruns keep one row per user.
 */
class WarmupJobTest {

  @TempDir
  Path dir;

  @Test
  void adaptationsMergeOneRowPerUser() throws Exception {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> rows = SampleData.coldStart(spark, ProjectPaths.sampleData()).where("user < 200")
        .withColumn("isValidation", org.apache.spark.sql.functions.expr("user % 5 = 0"));
    String warm = dir.resolve("warm-clicks").toString();
    rows.where("NOT isColdUser").write().format("delta").save(warm);
    String model = dir.resolve("resus").toString();
    List<String> train = List.of("train", "--model", "resus", "--input", warm, "--categorical", "C0,C1,C2",
        "--user", "user", "--max-iter", "1", "--seed", "5",
        "--params", "embeddingDim=3 hiddenLayers=[8] validationIndicatorCol=isValidation",
        "--base-params", "maxIter=1 seed=4", "--model-out", model);
    CommandRun noTime = run(train.toArray(new String[0]));
    assertEquals(2, noTime.status(), noTime.printed());
    assertTrue(noTime.err().contains("train --model resus needs --time COL"), noTime.err());
    List<String> withTime = new java.util.ArrayList<>(train);
    withTime.addAll(List.of("--time", "interactionIndex"));
    CommandRun trained = run(withTime.toArray(new String[0]));
    assertEquals(0, trained.status(), trained.printed());
    assertTrue(PipelineModel.load(model).stages()[2] instanceof RESUSModel, "role check, encoder, RESUS");

    String support = dir.resolve("first-clicks").toString();
    rows.where("isColdUser AND interactionIndex < 3").write().format("delta").save(support);
    long users = spark.read().format("delta").load(support).select("user").distinct().count();
    assertTrue(users > 10, users + " cold users");
    String output = dir.resolve("adaptation").toString();
    String[] warmup = {"warmup", "--model", model, "--input", support, "--output", output};
    CommandRun first = run(warmup);
    assertEquals(0, first.status(), first.printed());
    assertTrue(first.out().contains("Delta table, version 0, merged on user"), first.out());
    assertEquals(0, run(warmup).status());

    Dataset<Row> table = spark.read().format("delta").load(output);
    assertEquals(List.of("user", "supportSize", "adaptation", "model_uid", "input_version"),
        List.of(table.columns()));
    assertEquals(users, table.count());
    assertEquals(users, table.select("user").distinct().count());
    assertEquals(0, table.where("supportSize < 1 OR supportSize > 3 OR input_version <> 0").count());

    CommandRun notResus = run("warmup", "--model", dir.resolve("nope").toString(), "--input", support,
        "--output", output);
    assertEquals(1, notResus.status(), notResus.printed());
    assertTrue(notResus.err().startsWith("sparkrec warmup: model " + dir.resolve("nope") + " cannot be loaded"),
        notResus.err());
  }
}
