package dev.sparkrec.pipelines.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.SparkTestSession;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Executes every notebook in the project's {@code notebooks/} folder, cell by cell, through {@link NotebookRunner}
 * against the shared test session: a notebook that no longer compiles against SparkRec's API, or whose cells
 * throw, fails the build with its name and {@code Cmd} number.
 */
class NotebooksTest {

  /** The notebooks the project documents; each must exist and run. */
  static final List<String> EXPECTED = List.of("01-ctr-with-afn", "02-explain-with-fia", "03-cold-users-with-resus",
      "04-embedding-search-with-nis", "05-delta-pipeline", "06-gpu-udfs");

  static Path notebooksDir() {
    // The build sets sparkrec.home to the project folder; else surefire runs in the module folder (pipelines/).
    String home = System.getProperty("sparkrec.home");
    Path project = home != null ? Paths.get(home) : Paths.get("").toAbsolutePath().getParent();
    return project.resolve("notebooks");
  }

  /**
   * Runs every notebook, in name order; {@code -Dsparkrec.notebook=NAME} runs the one notebook NAME (while writing
   * it).
   */
  /** Removes what {@code 05-delta-pipeline} writes under its {@code workDir}. */
  @AfterAll
  static void removeNotebookOutputs() throws IOException {
    FileUtils.deleteDirectory(Paths.get("/tmp/sparkrec-notebooks", SparkTestSession.get().sparkContext()
        .applicationId()).toFile());
  }

  @TestFactory
  Stream<DynamicTest> everyNotebookRuns() throws IOException {
    List<Path> files;
    try (Stream<Path> listing = Files.list(notebooksDir())) {
      files = listing.filter(f -> f.toString().endsWith(".scala")).sorted().toList();
    }
    List<String> names = files.stream().map(f -> f.getFileName().toString().replaceFirst("\\.scala$", "")).toList();
    String only = System.getProperty("sparkrec.notebook");
    if (only == null) {
      assertTrue(names.containsAll(EXPECTED), "notebooks/ should hold " + EXPECTED + "; found " + names);
    } else {
      assertTrue(names.contains(only), "no notebook " + only + " in " + names);
      files = files.stream().filter(f -> f.getFileName().toString().equals(only + ".scala")).toList();
    }
    NotebookRunner runner = NotebookRunner.forSession(SparkTestSession.get());
    return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(),
        () -> runner.run(Notebook.read(file))));
  }

  /**
   * Every SparkRec class a notebook imports is public and comes from the library's jars, not from test code (the
   * test classpath would let a notebook compile against both).
   */
  @Test
  void notebooksImportOnlySparkRecsPublicApi() throws IOException, ClassNotFoundException {
    Pattern imports = Pattern.compile("^import (dev\\.sparkrec\\.[\\w.]+?)\\.(\\{[^}]*}|\\w+)\\s*$",
        Pattern.MULTILINE);
    int checked = 0;
    try (Stream<Path> listing = Files.list(notebooksDir())) {
      for (Path file : listing.filter(f -> f.toString().endsWith(".scala")).sorted().toList()) {
        String source = Files.readString(file);
        assertFalse(source.contains("dev.sparkrec.testing"), file + " uses SparkRec's test code");
        Matcher m = imports.matcher(source);
        while (m.find()) {
          for (String name : m.group(2).replaceAll("[{}\\s]", "").split(",")) {
            Class<?> imported = Class.forName(m.group(1) + "." + name);
            assertTrue(Modifier.isPublic(imported.getModifiers()), file + " imports non-public " + imported);
            String from = imported.getProtectionDomain().getCodeSource().getLocation().toString();
            assertFalse(from.contains("test-classes") || from.contains("-tests.jar"),
                file + " imports " + imported + " from test code: " + from);
            checked++;
          }
        }
      }
    }
    assertTrue(checked >= 10, "only " + checked + " SparkRec imports found; the pattern no longer matches them");
  }

  @Test
  void aFailingCellNamesTheNotebookAndItsCmdNumber() throws IOException, URISyntaxException {
    Path fixture = Paths.get(getClass().getResource("/notebooks/broken-fixture.scala").toURI());
    Notebook notebook = Notebook.read(fixture);
    NotebookRunner runner = NotebookRunner.forSession(SparkTestSession.get());

    NotebookRunner.CellFailure thrown = assertThrows(NotebookRunner.CellFailure.class, () -> runner.run(notebook));
    assertTrue(thrown.getMessage().startsWith("notebook broken-fixture, Cmd 5 (val broken = rows.map(r => "
        + "r.getLong(0) / 0L).collect()) failed:"), thrown.getMessage());
    assertTrue(thrown.getMessage().contains("java.lang.ArithmeticException"), thrown.getMessage());
    // What the notebook left in the shared session is gone, as its own Databricks session would be.
    assertFalse(SparkTestSession.get().catalog().tableExists("fixture_rows"));
    assertTrue(SparkTestSession.get().sharedState().cacheManager().isEmpty());
  }

  @Test
  void aCellThatDoesNotCompileNamesItsCmdNumberToo() {
    Notebook notebook = Notebook.parse("typo", String.join("\n", Notebook.HEADER, "val n = 1", Notebook.SEPARATOR,
        "// MAGIC %md # A heading", Notebook.SEPARATOR, "val m = n + undefinedName"));
    NotebookRunner runner = NotebookRunner.forSession(SparkTestSession.get());

    NotebookRunner.CellFailure thrown = assertThrows(NotebookRunner.CellFailure.class, () -> runner.run(notebook));
    assertTrue(thrown.getMessage().startsWith("notebook typo, Cmd 3 (val m = n + undefinedName) failed:"),
        thrown.getMessage());
    assertTrue(thrown.getMessage().contains("not found: value undefinedName"), thrown.getMessage());
  }

  @Test
  void parsingNumbersCellsAsDatabricksDoesAndSetsMagicCellsApart() {
    Notebook notebook = Notebook.parse("n", String.join("\n", Notebook.HEADER, "", "// MAGIC %md", "// MAGIC # T",
        "", Notebook.SEPARATOR, "", "val a = 1", "// a comment", "", Notebook.SEPARATOR, "val b = 2", ""));
    assertEquals(3, notebook.cells().size());
    assertTrue(notebook.cells().get(0).magic());
    assertEquals(new Notebook.Cell(2, "val a = 1\n// a comment", false), notebook.cells().get(1));
    assertEquals(List.of(2, 3), notebook.codeCells().stream().map(Notebook.Cell::cmd).toList());
    assertThrows(IllegalArgumentException.class, () -> Notebook.parse("plain", "val a = 1"));
  }
}
