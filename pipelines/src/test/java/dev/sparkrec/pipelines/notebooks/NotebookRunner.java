package dev.sparkrec.pipelines.notebooks;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;
import scala.tools.nsc.Settings;
import scala.tools.nsc.interpreter.IMain;
import scala.tools.nsc.interpreter.Results;

/**
 * Runs Databricks notebooks offline: each Scala cell, in order, through one Scala 2.12 interpreter against a live
 * SparkSession, with what a Databricks Scala notebook finds bound: {@code spark}, {@code sc}, {@code display},
 * {@code displayHTML} and {@code spark.implicits._}.
 *
 * <p>The interpreter compiles each cell into classes under the session's {@code spark.repl.class.outputDir}
 * ({@code -Yrepl-class-based -Yrepl-outdir}), from where Spark's executors load them, as spark-shell does; the
 * session must have been created with that setting. One interpreter serves the JVM: {@link #run} resets it between
 * notebooks (a second interpreter beside the same SparkContext would let executors load stale classes of the same
 * names). {@code spark} and {@code sc} are {@code @transient}, so that closures defined in a cell do not drag them
 * into tasks. {@code display} prints the first 20 rows; {@code displayHTML} keeps the HTML in the cell's output.
 */
final class NotebookRunner {

  /** What the interpreter defines before a notebook's first cell. */
  static final String PRELUDE = String.join("\n",
      "@transient val spark = org.apache.spark.sql.SparkSession.active",
      "@transient val sc = spark.sparkContext",
      "import spark.implicits._",
      "def display(data: org.apache.spark.sql.Dataset[_]): Unit = data.show(20, false)",
      "def displayHTML(html: String): Unit = println(\"<displayHTML>\\n\" + html + \"\\n</displayHTML>\")");

  private static final int OUTPUT_TAIL = 6000;
  private static NotebookRunner shared;

  private final SparkSession spark;
  private final IMain interpreter;
  private final StringWriter output = new StringWriter();

  private NotebookRunner(SparkSession spark, String classOutputDir) {
    this.spark = spark;
    Settings settings = new Settings();
    List<String> args = List.of("-Yrepl-class-based", "-Yrepl-outdir", classOutputDir,
        "-classpath", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    settings.processArguments(JavaConverters.asScalaBuffer(args).toList(), true);
    interpreter = new IMain(settings, new PrintWriter(output, true));
  }

  /** The JVM's runner, for {@code spark}'s REPL class folder. */
  static synchronized NotebookRunner forSession(SparkSession spark) {
    if (shared == null) {
      String dir = spark.conf().getOption("spark.repl.class.outputDir").getOrElse(() -> null);
      if (dir == null) {
        throw new IllegalStateException("the SparkSession was created without spark.repl.class.outputDir; "
            + "executors could not load the classes of notebook cells");
      }
      shared = new NotebookRunner(spark, dir);
    }
    return shared;
  }

  /**
   * Runs every Scala cell of {@code notebook} in order on a fresh interpreter state; the first cell that fails to
   * compile or throws stops the run with a {@link CellFailure} naming the notebook, the cell's {@code Cmd} number
   * and first line, followed by the interpreter's output for that cell.
   */
  synchronized void run(Notebook notebook) {
    interpreter.reset();
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    Set<String> viewsBefore = tempViews();
    try {
      interpret(notebook, null, PRELUDE);
      Thread.currentThread().setContextClassLoader(interpreter.classLoader());
      for (Notebook.Cell cell : notebook.codeCells()) {
        interpret(notebook, cell, cell.code());
      }
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
      forgetNotebookState(viewsBefore);
    }
  }

  /**
   * Drops what a notebook left in the shared session, as a Databricks notebook's own session would not see it: the
   * temporary views it created and every cached Dataset (tests run one at a time, so none of them holds a cache
   * across this point).
   */
  private void forgetNotebookState(Set<String> viewsBefore) {
    for (String view : tempViews()) {
      if (!viewsBefore.contains(view)) {
        spark.catalog().dropTempView(view);
      }
    }
    spark.catalog().clearCache();
  }

  private Set<String> tempViews() {
    Set<String> views = new HashSet<>();
    for (Row table : spark.sql("SHOW VIEWS").collectAsList()) {
      if (table.getBoolean(table.fieldIndex("isTemporary"))) {
        views.add(table.getString(table.fieldIndex("viewName")));
      }
    }
    return views;
  }

  private void interpret(Notebook notebook, Notebook.Cell cell, String code) {
    output.getBuffer().setLength(0);
    Results.Result result = interpreter.interpret(code);
    if (result instanceof Results.Success$) {
      return;
    }
    String where = cell == null ? "the prelude" : "Cmd " + cell.cmd() + " (" + cell.firstLine() + ")";
    String why = result instanceof Results.Incomplete$ ? "is incomplete Scala" : "failed";
    String text = output.toString();
    if (text.length() > OUTPUT_TAIL) {
      text = "..." + text.substring(text.length() - OUTPUT_TAIL);
    }
    throw new CellFailure("notebook " + notebook.name() + ", " + where + " " + why + ":\n" + text);
  }

  /** A notebook cell that did not compile or threw. */
  static final class CellFailure extends RuntimeException {
    CellFailure(String message) {
      super(message);
    }
  }
}
