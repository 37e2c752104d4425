package dev.sparkrec.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.SparkTestSession;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A failed and retried training task reproduces its result: a child JVM trains on {@code local[2,2]} with the
 * first attempt of one task failing, and its parameters equal this JVM's run without failures, bit for bit.
 * (The shared session is {@code local[2]}, which never retries, and one JVM holds one SparkContext.)
 */
class TrainerRetryTest {

  /** 4 training partitions of about 300 rows: a shuffle level in the averaging tree, 2 rounds per epoch. */
  static TrainingConfig.Builder config() {
    return TrainFixtures.config().maxEpochs(2).numPartitions(4);
  }

  static Dataset<Row> train(SparkSession spark) {
    return TrainFixtures.train(spark, 1200, 4);
  }

  /** On both embedding syncs: the sharded path's tasks read pulled rows from a shuffle, and retry from it. */
  @Test
  void aRetriedTaskGivesBitIdenticalParameters() throws IOException, InterruptedException {
    Map<String, String> child = runChild();
    TrainingResult clean = new Trainer(TrainFixtures.model(), config().embeddingSync(TrainingConfig.BROADCAST).build())
        .fit(train(SparkTestSession.get()), null, TrainFixtures.COLUMNS);
    for (String sync : List.of("BROADCAST", "SHARDED")) {
      assertEquals("1", child.get(sync + "_INJECTED_FAILURES"), sync + ": the first attempt failed once: " + child);
      assertEquals("1", child.get(sync + "_RETRIED_ATTEMPTS"), sync + ": and was retried once: " + child);
      assertEquals(TrainFixtures.hash(clean.finalParameters()), child.get(sync + "_PARAMETER_HASH"), sync);
    }
  }

  /** Runs {@link RetryTrainingMain} with this JVM's classpath and module flags; returns its KEY VALUE lines. */
  private static Map<String, String> runChild() throws IOException, InterruptedException {
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    command.add("-Xmx1g");
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("--add-modules") || arg.startsWith("-Djdk.reflect")
          || arg.equals("-XX:+IgnoreUnrecognizedVMOptions")) {
        command.add(arg);
      }
    }
    command.add("-cp");
    command.add(classPath);
    command.add(RetryTrainingMain.class.getName());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the child JVM finished");
    String text = new String(output, StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), "child JVM output:\n" + text);
    Map<String, String> values = new HashMap<>();
    for (String line : text.split("\n")) {
      String[] parts = line.trim().split(" ");
      if (parts.length == 2 && parts[0].matches("[A-Z_]+")) {
        values.put(parts[0], parts[1]);
      }
    }
    return values;
  }
}
