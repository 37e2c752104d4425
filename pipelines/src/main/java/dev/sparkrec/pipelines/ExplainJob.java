package dev.sparkrec.pipelines;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.sparkrec.fia.CollaborativeFilteringModel;
import dev.sparkrec.fia.InfluenceExplainer;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sparkrec explain --model DIR (--input PATH | --recommend K) --output PATH [--top-k N]}: explains a saved
 * rating model's ({@code mf}, {@code ncf}) predictions with FIA ({@link InfluenceExplainer}) and merges the
 * explanations into a Delta table keyed by (user, item), or by (user, rank) for recommendations so that a rerun
 * replaces each user's list; a rerun never adds rows. The training ratings are the ones the model was trained on:
 * the table, Delta version and rating column its {@link TrainingRecord} names (or {@code --ratings PATH} with
 * {@code --ratings-version N} and {@code --rating COL} for a model without a record). {@code --input} explains the
 * (user, item) pairs of a table; {@code --recommend K} the top K unrated items of every user. Rows: user, item,
 * ({@code rank} with {@code --recommend}), {@code prediction}, {@code explanations}, {@code model_uid},
 * {@code ratings_version}.
 */
@Command(name = "explain", sortOptions = false,
    header = "Explain an mf/ncf model's predictions (FIA); MERGE them into a Delta table.",
    description = {"Explain an mf/ncf model's predictions with FIA, from the training ratings the model records (at",
        "their version), and MERGE them into a Delta table on (user, item), or (user, rank) for --recommend."})
final class ExplainJob implements Job {

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "An mf or ncf model saved by train.")
  String modelDir;

  @Option(names = "--input", paramLabel = "PATH",
      description = "The (user, item) pairs to explain (one of --input, --recommend).")
  String input;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "delta",
      description = "--input's format: delta, parquet, csv or libfm; default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--input-version", paramLabel = "N", description = "Delta time travel for --input.")
  Long inputVersion;

  @Option(names = "--recommend", paramLabel = "K",
      description = "Explain the top K unrated items of every user instead (one of --input, --recommend).")
  Integer recommend;

  @Option(names = "--output", required = true, paramLabel = "PATH", description = "The Delta table to merge into.")
  String output;

  @Option(names = "--top-k", paramLabel = "N", description = "Training ratings listed per explanation, largest influence first (default 10).")
  Integer topK;

  @Option(names = "--influence-form", paramLabel = "FORM",
      description = "auto (default), firstOrder, leaveOneOut or refitNeighbours (MF only: re-fits each removed"
          + " rating's neighbours, for sparse ratings; see InfluenceExplainer.influenceForm).")
  String influenceForm;

  @Option(names = "--ratings", paramLabel = "PATH",
      description = "The training ratings, for a model saved without sparkrec-training.json.")
  String ratingsPath;

  @Option(names = "--ratings-format", paramLabel = "FORMAT", defaultValue = "delta",
      description = "--ratings's format; default: ${DEFAULT-VALUE}.")
  String ratingsFormat;

  @Option(names = "--ratings-version", paramLabel = "N", description = "Delta time travel for --ratings.")
  Long ratingsVersion;

  @Option(names = "--rating", paramLabel = "COL",
      description = "The rating column of the training ratings (default: the recorded one, else rating).")
  String rating;

  @Option(names = "--report", paramLabel = "DIR",
      description = "Also write metrics.json and report.html (the run and its first explanations as a table) to DIR.")
  String report;

  @Mixin
  StandardOptions standard;

  @Override
  public int run(PrintStream out) {
    if ((input == null) == (recommend == null)) {
      throw new UsageException("explain needs --input PATH (pairs to explain) or --recommend K, not "
          + (input == null ? "neither" : "both") + ".");
    }
    if (recommend != null && recommend < 1) {
      throw new UsageException("--recommend must be at least 1, got " + recommend + ".");
    }

    SparkSession spark = Main.session("sparkrec explain");
    CollaborativeFilteringModel<?> model = ratingModel(modelDir, "explain");
    TrainingRecord record = TrainingRecord.read(spark, modelDir);
    boolean recorded = ratingsPath == null && record != null;
    if (ratingsPath == null && record == null) {
      throw new UsageException("the model at " + modelDir + " has no " + TrainingRecord.FILE
          + "; name its training ratings with --ratings PATH (and --ratings-version N).");
    }
    JobInput.Read ratings = recorded
        ? JobInput.read(spark, record.input().path(), record.input().format(), record.input().version(), null)
        : JobInput.read(spark, ratingsPath, ratingsFormat, ratingsVersion, null);

    InfluenceExplainer explainer = new InfluenceExplainer()
        .setUserCol(model.getUserCol()).setItemCol(model.getItemCol())
        .setRatingCol(rating != null ? rating
            : record != null && record.ratingCol() != null ? record.ratingCol() : "rating")
        .setModel(model)
        .setTrainingRatings(ratings.data());
    if (topK != null) {
      explainer.setTopK(topK);
    }
    if (influenceForm != null) {
      try {
        explainer.setInfluenceForm(influenceForm);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--influence-form must be auto, firstOrder, leaveOneOut or refitNeighbours, got "
            + influenceForm + ".");
      }
    }
    String[] pairKeys = {model.getUserCol(), model.getItemCol()};
    // A user's recommendations are slots 1..K: a rerun replaces each slot, leaving no stale items behind.
    String[] keys = recommend != null ? new String[] {model.getUserCol(), "rank"} : pairKeys;
    Dataset<Row> explained;
    String described;
    try {
      if (recommend != null) {
        explained = explainer.recommendAndExplain(recommend);
        described = "the top " + recommend + " unrated items of every user";
      } else {
        JobInput.Read pairs = JobInput.read(spark, input, format, inputVersion, null);
        PredictJob.requireUniqueKeys(pairs.data(), pairKeys, input);
        explained = explainer.transform(pairs.data().select(col(pairKeys[0]), col(pairKeys[1])));
        described = pairs.input().describe();
      }
    } catch (IllegalArgumentException e) {
      throw new JobFailure("cannot explain with the model at " + modelDir + ": " + JobFailure.firstLine(e));
    }
    Dataset<Row> rows = explained
        .withColumn("model_uid", lit(model.uid()))
        .withColumn("ratings_version", lit(ratings.input().version()).cast(DataTypes.LongType));
    long version = PredictJob.merge(spark, rows, keys, output);
    out.println("sparkrec explain: " + described);
    out.println("  model           " + modelDir + " (" + model.uid() + ")");
    out.println("  ratings         " + ratings.input().describe());
    out.println("  output          " + output + " (Delta table, version " + version + ", merged on "
        + String.join(", ", keys) + ")");
    if (report != null) {
      out.println("  report          " + report(spark, model, ratings.input(), version, keys, described));
    }
    return 0;
  }

  /** Explanations on the report page at most: the first ones in key order. */
  static final int REPORT_ROWS = 50;

  /** Writes the run's report (its setting and the table's first explanations) to --report; returns its path. */
  private org.apache.hadoop.fs.Path report(SparkSession spark, CollaborativeFilteringModel<?> model, JobInput ratings,
      long version, String[] keys, String described) {
    Dataset<Row> table = spark.read().format("delta").option("versionAsOf", version).load(output);
    List<Row> first = table.orderBy(keys[0], keys[1]).limit(REPORT_ROWS).collectAsList();
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("explained", described);
    metrics.put("model", modelDir);
    metrics.put("model_uid", model.uid());
    metrics.put("ratings", ratings.path());
    metrics.put("ratings_version", ratings.version());
    metrics.put("output", output);
    metrics.put("output_version", version);
    metrics.put("output_rows", table.count());
    return new TrainingReport("SparkRec explain: " + described, metrics, null)
        .withTable("explanations", "The first " + first.size() + " explanations (by " + String.join(", ", keys)
            + ")", ExplanationTable.columns(recommend != null),
            ExplanationTable.rows(first, model.getUserCol(), model.getItemCol(), recommend != null))
        .write(spark, report);
  }

  /**
   * The rating model of a saved pipeline (its last stage) or a saved model itself; any other model fails naming its
   * stages and what {@code command} needs.
   */
  static CollaborativeFilteringModel<?> ratingModel(String modelDir, String command) {
    PipelineModel pipeline;
    try {
      pipeline = PipelineModel.load(modelDir);
    } catch (Exception e) { // Hadoop's missing-path errors are IOExceptions
      throw new JobFailure("model " + modelDir + " cannot be loaded as a Spark ML PipelineModel: "
          + JobFailure.firstLine(e));
    }
    Transformer[] stages = pipeline.stages();
    Transformer last = stages[stages.length - 1];
    if (!(last instanceof CollaborativeFilteringModel<?> model)) {
      List<String> kinds = Arrays.stream(stages).map(s -> s.getClass().getSimpleName()).toList();
      throw new JobFailure("model " + modelDir + " is " + kinds + "; " + command
          + " needs a rating model (train --model mf or ncf).");
    }
    return model;
  }
}
