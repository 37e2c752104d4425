package dev.sparkrec.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, for real: {@code bin/sparkrec demo} launches spark-submit
 * ({@code org.apache.spark.deploy.SparkSubmit}) on the packaged jars in a fresh JVM.
 */
class LauncherIT {

  @TempDir
  Path dir;

  private static Path home() {
    return Paths.get(System.getProperty("sparkrec.home", "..")).toAbsolutePath().normalize();
  }

  private static String launch(List<String> args, int expectedStatus) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add(home().resolve("bin/sparkrec").toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("SPARKREC_MASTER", "local[2]");
    builder.environment().put("SPARKREC_DRIVER_MEMORY", "2g");
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    assertTrue(process.waitFor(10, TimeUnit.MINUTES), "bin/sparkrec did not finish");
    String text = new String(output, StandardCharsets.UTF_8);
    assertEquals(expectedStatus, process.exitValue(), text);
    return text;
  }

  @Test
  void demoPrintsMetricsAndWritesADeltaTable() throws Exception {
    Path out = dir.resolve("demo");
    String text = launch(List.of("demo", "--only", "ctr", "--out", out.toString()), 0);
    assertTrue(text.contains("test AUC"), text);
    assertTrue(text.contains("test logloss"), text);
    assertTrue(text.contains(out.resolve("predictions").toString()), text);
    assertTrue(Files.isDirectory(out.resolve("predictions/_delta_log")), "a Delta table was written");
    assertTrue(Files.isDirectory(out.resolve("model/stages")), "the fitted pipeline was saved");
  }

  @Test
  void helpAndUsageErrors() throws Exception {
    String help = launch(List.of("--help"), 0);
    assertTrue(help.contains("Run 'bin/sparkrec COMMAND --help' for a command's options"), help);
    String benchHelp = launch(List.of("bench", "--help"), 0);
    assertTrue(benchHelp.contains("--out=FILE.json"), benchHelp);
    String usage = launch(List.of("nonsense"), 2);
    assertTrue(usage.contains("Unknown command 'nonsense'"), usage);
    String unknown = launch(List.of("--executor-nonsense", "1", "demo"), 2);
    assertTrue(unknown.contains("unknown option --executor-nonsense before the command"), unknown);
    String missing = launch(List.of("--conf"), 2);
    assertTrue(missing.contains("the spark-submit option --conf needs a value"), missing);
  }
}
