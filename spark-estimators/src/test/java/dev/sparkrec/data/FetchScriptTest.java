package dev.sparkrec.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.RealData;
import dev.sparkrec.testing.SparkTestSession;
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

/** Runs sample-data/fetch.sh in its offline modes (its downloads need the internet). */
class FetchScriptTest {

  @TempDir
  Path tempDir;

  /** The script, relative to this module's folder (Maven runs tests there). */
  private static Path script() {
    Path script = Paths.get(System.getProperty("user.dir")).resolve("../sample-data/fetch.sh").normalize();
    assertTrue(Files.isRegularFile(script), "missing " + script);
    return script;
  }

  private record Result(int exitCode, String output) {}

  private static Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", script().toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "fetch.sh did not finish");
    return new Result(process.exitValue(), output);
  }

  @Test
  void scriptIsValidBashAndExecutable() throws Exception {
    Process check = new ProcessBuilder("bash", "-n", script().toString()).redirectErrorStream(true).start();
    String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(check.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, check.exitValue(), output);
    assertTrue(Files.isExecutable(script()));
  }

  @Test
  void listPrintsTheDatasetNames() throws Exception {
    Result result = run("--list");
    assertEquals(0, result.exitCode(), result.output());
    assertEquals("movielens-100k\nmovielens-1m\nfrappe\ncriteo-sample\n", result.output());
  }

  @Test
  @RealData
  void sharedDataMatchesTheChecksums() throws Exception {
    Result result = run("--verify-shared", SparkTestSession.dataDir().toString());
    assertEquals(0, result.exitCode(), result.output());
    String out = result.output();
    assertTrue(out.contains("OK        movielens-100k/u.data\n"), out);
    assertTrue(out.contains("OK        movielens-1m/movies.dat\n"), out);
    // Stored gzipped in the shared folder: the uncompressed content is checked.
    assertTrue(out.contains("OK        frappe/nfm/frappe.validation.libfm\n"), out);
    assertTrue(out.contains("OK        frappe/nfm/frappe.train.libfm (202027 lines;"), out);
    assertTrue(out.contains("OK        criteo/wide-resdnn/train.csv\n"), out);
    assertTrue(out.contains("ABSENT    movielens-1m/ratings.dat"), out);
    assertEquals(0, out.lines().filter(l -> l.startsWith("MISMATCH") || l.startsWith("MISSING")).count(), out);
  }

  @Test
  @RealData
  void strictVerifyReportsTheSharedFolderMissingRatingsDat() throws Exception {
    Result result = run("--verify", SparkTestSession.dataDir().toString(), "movielens-1m");
    assertEquals(1, result.exitCode(), result.output());
    assertTrue(result.output().contains("MISSING   movielens-1m/ratings.dat"), result.output());
  }

  @Test
  void alteredFileIsAMismatchAndAbsentDatasetsAreSkipped() throws Exception {
    Path ml = Files.createDirectories(tempDir.resolve("movielens-100k"));
    Files.write(ml.resolve("u.data"), "1\t1\t5\t0\n".getBytes(StandardCharsets.UTF_8));
    Result result = run("--verify", tempDir.toString());
    assertEquals(1, result.exitCode(), result.output());
    assertTrue(result.output().contains("MISMATCH  movielens-100k/u.data: sha256 "), result.output());
    assertTrue(result.output().contains("MISSING   movielens-100k/u.item"), result.output());
    assertTrue(result.output().contains("ABSENT    frappe (no files under"), result.output());
  }

  @Test
  void unknownNameIsAUsageError() throws Exception {
    Result result = run("movielens-20m");
    assertEquals(2, result.exitCode(), result.output());
    assertTrue(result.output().contains("unknown dataset 'movielens-20m'"), result.output());
  }
}
