package dev.sparkrec.pipelines;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sparkrec.data.SampleData;
import dev.sparkrec.testing.SparkTestSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SparkRec on a real Spark standalone cluster: a master and one worker on 127.0.0.1, started from the Spark and
 * Delta jars the build already has (a {@code SPARK_HOME} whose {@code jars/} links them, with a {@code RELEASE}
 * file), and {@code bin/sparkrec --master spark://127.0.0.1:PORT train ...} then {@code predict ...} on a Delta
 * table, which go through {@code org.apache.spark.deploy.SparkSubmit}. Unlike {@code local[*]}, the executors run in
 * their own JVMs and load only what spark-submit ships, the application jar: SparkRec's UDFs and closures (the
 * field encoder, AFN's distributed trainer with its broadcasts and aggregations and its embedding tables sharded in
 * the executors ({@code embeddingSync=sharded}), scoring, the MERGE of the scores)
 * must be in it and serialise. (The demo runs the same code; LauncherIT runs it through the launcher locally.)
 */
class StandaloneClusterIT {

  private static final long START_SECONDS = 120;

  @TempDir
  static Path dir;

  private static final List<Process> DAEMONS = new ArrayList<>();
  private static int masterPort;
  private static Path workerDir;

  private static Path home() {
    return Paths.get(System.getProperty("sparkrec.home", "..")).toAbsolutePath().normalize();
  }

  @BeforeAll
  static void startCluster() throws Exception {
    Path home = home();
    Path sparkHome = dir.resolve("spark-home");
    Path jars = Files.createDirectories(sparkHome.resolve("jars"));
    String classpath = Files.readString(home.resolve("pipelines/target/local-classpath.txt")).trim();
    // Spark, Scala, Delta and their dependencies: what a cluster provides. SparkRec's classes reach the executors
    // only in the application jar.
    for (String entry : classpath.split(":")) {
      Path jar = Paths.get(entry);
      assertFalse(entry.contains("/dev/sparkrec/") || jar.startsWith(home), "SparkRec on the cluster's classpath: "
          + entry);
      if (entry.endsWith(".jar") && !Files.exists(jars.resolve(jar.getFileName()))) {
        Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar);
      }
    }
    Files.writeString(sparkHome.resolve("RELEASE"), "Spark 3.5.5 (the jars of SparkRec's build)\n");
    workerDir = Files.createDirectories(dir.resolve("worker"));

    masterPort = freePort();
    Path masterLog = dir.resolve("master.log");
    start(sparkHome, masterLog, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
        "--port", String.valueOf(masterPort), "--webui-port", String.valueOf(freePort()));
    awaitLine(masterLog, "I have been elected leader");
    Path workerLog = dir.resolve("worker.log");
    start(sparkHome, workerLog, "org.apache.spark.deploy.worker.Worker", "spark://127.0.0.1:" + masterPort,
        "--host", "127.0.0.1", "--port", String.valueOf(freePort()), "--webui-port", String.valueOf(freePort()),
        "--cores", "2", "--memory", "2g", "--work-dir", workerDir.toString());
    awaitLine(workerLog, "Successfully registered with master");
  }

  @AfterAll
  static void stopCluster() throws InterruptedException {
    for (Process daemon : DAEMONS) {
      daemon.descendants().forEach(ProcessHandle::destroy); // the worker's executors
      daemon.destroy();
    }
    for (Process daemon : DAEMONS) {
      if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
        daemon.descendants().forEach(ProcessHandle::destroyForcibly);
        daemon.destroyForcibly();
      }
    }
  }

  /** Runs {@code bin/sparkrec} against the cluster; returns its output after requiring exit status 0. */
  private static String submit(String name, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", home().resolve("bin/sparkrec").toString(),
        "--master", "spark://127.0.0.1:" + masterPort,
        "--conf", "spark.executor.memory=1g",
        "--conf", "spark.cores.max=2",
        "--conf", "spark.ui.enabled=false"));
    command.addAll(Arrays.asList(args));
    Path log = dir.resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().remove("SPARKREC_MASTER");
    builder.environment().put("SPARKREC_DRIVER_MEMORY", "2g");
    Process process = builder.start();
    assertTrue(process.waitFor(10, TimeUnit.MINUTES), "bin/sparkrec " + name + " did not finish in 10 minutes");
    String text = Files.readString(log);
    assertEquals(0, process.exitValue(), text + executorLogs());
    return text;
  }

  @Test
  void trainThenPredictOnADeltaTable() throws Exception {
    SparkSession spark = SparkTestSession.get();
    String clicks = dir.resolve("clicks").toString();
    SampleData.ctrTrain(spark, ProjectPaths.sampleData()).where("rowId < 6000").write().format("delta").save(clicks);
    String model = dir.resolve("afn-model").toString();
    String trained = submit("train", "train", "--model", "afn", "--input", clicks, "--input-version", "0",
        "--categorical", "C0,C1,C2,C3,C4,C5,C6,C7", "--numeric", "I0,I1", "--max-iter", "2", "--seed", "3",
        "--params", "embeddingDim=4 logNeurons=8 hiddenLayers=[16] batchSize=256 syncEveryBatches=8 "
            + "embeddingSync=sharded", "--model-out", model);
    assertTrue(trained.contains("afn on " + clicks + " (delta version 0, 6000 rows)"), trained);
    // The embedding tables lived in the executors as shards, pulled and pushed through shuffles each round.
    assertTrue(trained.contains("Embedding tables sharded over"), trained);

    String scores = dir.resolve("scores").toString();
    String predicted = submit("predict", "predict", "--model", model, "--input", clicks, "--output", scores,
        "--id-col", "rowId");
    assertTrue(predicted.contains("Delta table, version 0, merged on rowId"), predicted);
    Dataset<Row> rows = spark.read().format("delta").load(scores);
    assertEquals(6000, rows.count());
    assertEquals(6000, rows.select("rowId").distinct().count());
    assertEquals(0, rows.where("probability < 0 OR probability > 1 OR probability IS NULL").count());
    // The tasks ran in the worker's executor JVMs, not in the driver.
    String executors = executorLogs();
    assertTrue(executors.contains("Finished task"), "no executor log shows a finished task:\n" + executors);
    String modelUid = TrainingRecord.read(spark, model).modelUid();
    assertEquals(6000, rows.where(col("model_uid").equalTo(modelUid).and(col("model_input_version").equalTo(0))
        .and(col("input_version").equalTo(0))).count());
  }

  private static void start(Path sparkHome, Path log, String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(Arrays.asList(System.getProperty("spark.java17.opens", "").trim().split("\\s+")));
    command.removeIf(String::isEmpty);
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(sparkHome.resolve("jars") + "/*");
    command.add(mainClass);
    command.addAll(Arrays.asList(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    // Without SPARK_HOME and SPARK_SCALA_VERSION a worker cannot launch executors ("Cannot find any build
    // directories"); SPARK_LOCAL_IP keeps every port on the loopback.
    builder.environment().put("SPARK_HOME", sparkHome.toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.12");
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    DAEMONS.add(builder.start());
  }

  private static void awaitLine(Path log, String line) throws IOException, InterruptedException {
    Process daemon = DAEMONS.get(DAEMONS.size() - 1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
    while (System.nanoTime() < deadline) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      if (text.contains(line)) {
        return;
      }
      if (!daemon.isAlive()) {
        fail(log.getFileName() + ": the process exited with " + daemon.exitValue() + " before '" + line + "':\n"
            + text);
      }
      Thread.sleep(200);
    }
    fail(log.getFileName() + ": no '" + line + "' within " + START_SECONDS + " s:\n" + Files.readString(log));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The stderr of every executor the worker launched. */
  private static String executorLogs() {
    try (Stream<Path> files = Files.walk(workerDir)) {
      return files.filter(f -> f.getFileName().toString().equals("stderr")).map(f -> {
        try {
          return "\n--- " + f + "\n" + Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).collect(Collectors.joining());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
