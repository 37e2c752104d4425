package dev.sparkrec.pipelines;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.sparkrec.fia.CollaborativeFilteringModel;
import dev.sparkrec.fia.InfluenceExplainer;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

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
final class ExplainJob {

  static final Set<String> OPTIONS = Set.of("model", "input", "format", "input-version", "recommend", "ratings",
      "ratings-format", "ratings-version", "rating", "output", "top-k");

  private ExplainJob() {}

  static int main(String[] args, PrintStream out) {
    CommandLine line = CommandLine.parse(args, OPTIONS, Set.of());
    if (!line.positional().isEmpty()) {
      throw new CommandLine.UsageException("explain takes no positional arguments: " + line.positional());
    }
    String modelDir = TrainJob.required(line, "model");
    String output = TrainJob.required(line, "output");
    String input = line.option("input", null);
    Long recommend = TrainJob.longOption(line, "recommend");
    if ((input == null) == (recommend == null)) {
      throw new CommandLine.UsageException("explain needs --input PATH (pairs to explain) or --recommend K, not "
          + (input == null ? "neither" : "both") + ".");
    }
    if (recommend != null && recommend < 1) {
      throw new CommandLine.UsageException("--recommend must be at least 1, got " + recommend + ".");
    }
    Long topK = TrainJob.longOption(line, "top-k");

    SparkSession spark = Main.session("sparkrec explain");
    CollaborativeFilteringModel<?> model = ratingModel(modelDir);
    TrainingRecord record = TrainingRecord.read(spark, modelDir);
    String ratingsPath = line.option("ratings", record != null ? record.input().path() : null);
    if (ratingsPath == null) {
      throw new CommandLine.UsageException("the model at " + modelDir + " has no " + TrainingRecord.FILE
          + "; name its training ratings with --ratings PATH (and --ratings-version N).");
    }
    boolean recorded = line.option("ratings", null) == null;
    String ratingsFormat = recorded ? record.input().format() : line.option("ratings-format", "delta");
    Long ratingsVersion = recorded ? record.input().version() : TrainJob.longOption(line, "ratings-version");
    JobInput.Read ratings = JobInput.read(spark, ratingsPath, ratingsFormat, ratingsVersion, null);

    InfluenceExplainer explainer = new InfluenceExplainer()
        .setUserCol(model.getUserCol()).setItemCol(model.getItemCol())
        .setRatingCol(line.option("rating", record != null && record.ratingCol() != null ? record.ratingCol()
            : "rating"))
        .setModel(model)
        .setTrainingRatings(ratings.data());
    if (topK != null) {
      explainer.setTopK(Math.toIntExact(topK));
    }
    String[] pairKeys = {model.getUserCol(), model.getItemCol()};
    // A user's recommendations are slots 1..K: a rerun replaces each slot, leaving no stale items behind.
    String[] keys = recommend != null ? new String[] {model.getUserCol(), "rank"} : pairKeys;
    Dataset<Row> explained;
    String described;
    try {
      if (recommend != null) {
        explained = explainer.recommendAndExplain(Math.toIntExact(recommend));
        described = "the top " + recommend + " unrated items of every user";
      } else {
        JobInput.Read pairs = JobInput.read(spark, input, line.option("format", "delta"),
            TrainJob.longOption(line, "input-version"), null);
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
    return 0;
  }

  /** The rating model of a saved pipeline (its last stage) or a saved model itself. */
  private static CollaborativeFilteringModel<?> ratingModel(String modelDir) {
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
      throw new JobFailure("model " + modelDir + " is " + kinds + "; explain needs a rating model (train --model "
          + "mf or ncf).");
    }
    return model;
  }
}
