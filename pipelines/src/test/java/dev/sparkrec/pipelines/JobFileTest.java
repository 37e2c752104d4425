package dev.sparkrec.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.CommandSpec;

class JobFileTest {

  @TempDir
  Path dir;

  private static CommandSpec train() {
    return Main.commandLine().getSubcommands().get("train").getCommandSpec();
  }

  private String file(String... lines) throws IOException {
    Path file = dir.resolve("job.yaml");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file.toString();
  }

  @Test
  void theFilesOptionsComeFirstAndTheCommandLineReplacesThem() throws IOException {
    String job = file(
        "model: afn+",
        "input: /data/clicks",
        "input-version: 3",
        "categorical: [C0, C1]",
        "numeric: I0",
        "overwrite: true",
        "params: {embeddingDim: 8, hiddenLayers: [64, 32], loss: bce, stepSize: 0.01}",
        "model-out: /models/from-file");
    String[] args = JobFile.expand(train(), new String[] {"--job", job, "--model-out=/models/mine", "--seed", "7"});
    assertArrayEquals(new String[] {
        "--model", "afn+", "--input", "/data/clicks", "--input-version", "3", "--categorical", "C0,C1",
        "--numeric", "I0", "--overwrite", "--params", "embeddingDim=8 hiddenLayers=[64,32] loss=bce stepSize=0.01",
        "--job", job, "--model-out=/models/mine", "--seed", "7"}, args);

    String[] noFlag = JobFile.expand(train(), new String[] {"--job=" + file("model: fm", "overwrite: false")});
    assertArrayEquals(new String[] {"--model", "fm", "--job=" + dir.resolve("job.yaml")}, noFlag,
        "a false flag is left out");
    String[] plain = {"--model", "fm"};
    assertArrayEquals(plain, JobFile.expand(train(), plain), "no --job, no change");
  }

  @Test
  void whatTheFileCannotSayIsAUsageErrorNamingTheFileAndTheKey() throws IOException {
    String unknown = file("model: afn", "modle-out: /x");
    UsageException e = assertThrows(UsageException.class,
        () -> JobFile.expand(train(), new String[] {"--job", unknown}));
    assertTrue(e.getMessage().startsWith("job file " + unknown + ": 'modle-out' is not an option of train; its keys: "),
        e.getMessage());
    assertTrue(e.getMessage().contains("model-out") && !e.getMessage().contains("help"), e.getMessage());

    String flag = file("overwrite: yes please");
    assertTrue(assertThrows(UsageException.class, () -> JobFile.expand(train(), new String[] {"--job", flag}))
        .getMessage().contains("'overwrite' is a flag; write true or false"));
    String list = file("- model: afn");
    assertTrue(assertThrows(UsageException.class, () -> JobFile.expand(train(), new String[] {"--job", list}))
        .getMessage().contains("must be a mapping of option names to values, not a list"));
    String nested = file("categorical: {a: 1}");
    assertTrue(assertThrows(UsageException.class, () -> JobFile.expand(train(), new String[] {"--job", nested}))
        .getMessage().contains("'categorical' takes a value or a list, not a mapping"));
    String empty = file("model:");
    assertTrue(assertThrows(UsageException.class, () -> JobFile.expand(train(), new String[] {"--job", empty}))
        .getMessage().contains("'model' has no value"));
  }

  @Test
  void aFileThatIsNotYamlOrNotThereFailsTheJobInOneLine() throws IOException {
    String broken = file("model: [afn", "input: x");
    JobFailure e = assertThrows(JobFailure.class, () -> JobFile.expand(train(), new String[] {"--job", broken}));
    assertTrue(e.getMessage().startsWith("job file " + broken + " is not valid YAML: "), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    String missing = dir.resolve("missing.yaml").toString();
    assertEquals("job file " + missing + " does not exist.", assertThrows(JobFailure.class,
        () -> JobFile.expand(train(), new String[] {"--job", missing})).getMessage());
  }
}
