package dev.sparkrec.pipelines;

import dev.sparkrec.ml.EmbeddingEstimator;
import dev.sparkrec.ml.EmbeddingModel;
import dev.sparkrec.train.TrainingSummary;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sparkrec train --model KIND --input PATH [--format F] [--input-version N | --input-timestamp T]
 * --model-out DIR ...}: fits one of SparkRec's models on a table and saves it as a Spark ML {@link PipelineModel},
 * with {@link TrainingRecord} (the input's path, format, Delta version and row count) beside it. Same table version,
 * options and partitioning give the same model bit for bit.
 *
 * <p>CTR models ({@code afn}, {@code afn+}, {@code fm}, {@code deepfm}) read raw fields through
 * {@link RecPipelines#ctr()} ({@code --categorical}, {@code --numeric}, {@code --label}), or SparkRec's encoded
 * {@code featureIds}/{@code featureValues}/{@code label} from {@code --format libfm}. Rating models ({@code mf},
 * {@code ncf}) read {@code --user}, {@code --item}, {@code --rating} (default user, item, rating).
 */
@Command(name = "train", sortOptions = false,
    header = "Fit a model on a table and save it as a Spark ML PipelineModel.",
    description = {"Fit a model on a table (Delta by default, at its latest version unless one is given) and save it",
        "as a Spark ML PipelineModel, with the input's path, format, version and row count in",
        "DIR/sparkrec-training.json and the run's metrics.json and report.html beside it.",
        "CTR models (afn, afn+, fm, deepfm) read raw fields (--categorical, --numeric, --label) or --format libfm;",
        "rating models (mf, ncf) read --user, --item, --rating; resus reads raw fields, --user and --time;",
        "lightningseq reads encoded rows (featureIds, featureValues if present, label) and --history."})
final class TrainJob implements Job {

  @Mixin
  ModelOptions model;

  @Mixin
  InputOptions input;

  @Option(names = "--embedding-dims", paramLabel = "DIR",
      description = "Train with the embedding dimensions search-dims saved in DIR (same input and fields).")
  String embeddingDims;

  @Option(names = "--model-out", required = true, paramLabel = "DIR", description = "Where to save the model.")
  String modelOut;

  @Option(names = "--overwrite", description = "Replace a model already saved at --model-out.")
  boolean overwrite;

  @Mixin
  StandardOptions standard;

  @Override
  public int run(PrintStream out) {
    String kind = model.kind("train");
    Estimator<?> estimator = model.estimator("train");
    model.pipeline(estimator, input.format, "train"); // usage errors before Spark starts
    if (embeddingDims != null && !(estimator instanceof EmbeddingEstimator<?>)) {
      throw new UsageException("--embedding-dims is for models with embedding tables; " + kind + " takes none.");
    }

    SparkSession spark = Main.session("sparkrec train " + kind);
    requireFreshOutput(spark, modelOut, overwrite, "--model-out");
    if (embeddingDims != null) {
      ((EmbeddingEstimator<?>) estimator).setEmbeddingDimensions(SearchDimsJob.load(embeddingDims));
    }
    Pipeline pipeline = model.pipeline(estimator, input.format, "train"); // the model as the pipeline holds it
    JobInput.Read read = input.read(spark);
    ModelOptions.adaptToInput(estimator, Arrays.asList(read.data().columns()));
    long start = System.nanoTime();
    PipelineModel fitted;
    try {
      fitted = pipeline.fit(read.data());
    } catch (IllegalArgumentException e) {
      throw new JobFailure(kind + " cannot train on " + input.path + ": " + JobFailure.firstLine(e));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    try {
      fitted.write().overwrite().save(modelOut);
    } catch (IOException e) {
      throw new JobFailure("cannot save the model to " + modelOut + ": " + JobFailure.firstLine(e));
    }
    String modelUid = fitted.stages()[fitted.stages().length - 1].uid();
    new TrainingRecord(kind, fitted.uid(), modelUid, read.input(), model.ratingCol(), seconds).write(spark, modelOut);
    out.println("sparkrec train: " + kind + " on " + read.input().describe());
    out.println(String.format(Locale.ROOT, "  trained in      %.1f s", seconds));
    out.println("  model           " + modelOut + " (" + modelUid + ")");
    out.println("  recorded in     " + new Path(modelOut, TrainingRecord.FILE));
    out.println("  report          " + report(kind, modelUid, read.input(), seconds, fitted).write(spark, modelOut));
    return 0;
  }

  /** The run's report: the input, the time and, for a model that keeps one, its training summary. */
  static TrainingReport report(String kind, String modelUid, JobInput input, double seconds, PipelineModel model) {
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("model", kind);
    metrics.put("model_uid", modelUid);
    metrics.put("input", input.path());
    metrics.put("input_format", input.format());
    metrics.put("input_version", input.version());
    metrics.put("input_rows", input.rows());
    metrics.put("train_seconds", seconds);
    TrainingSummary summary = null;
    if (model.stages()[model.stages().length - 1] instanceof EmbeddingModel fitted) {
      metrics.put("embedding_parameters", fitted.embeddingParameterCount());
      summary = fitted.hasSummary() ? fitted.summary() : null;
    }
    return new TrainingReport("SparkRec " + kind + " trained on " + input.describe(), metrics, summary);
  }

  /** A usage of {@code option}'s folder that would replace something fails unless {@code overwrite}. */
  static void requireFreshOutput(SparkSession spark, String dir, boolean overwrite, String option) {
    if (overwrite) {
      return;
    }
    Path path = new Path(dir);
    try {
      if (path.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(path)) {
        throw new JobFailure(option + " " + dir + " exists; pass --overwrite to replace it.");
      }
    } catch (IOException e) {
      throw new JobFailure("cannot check " + option + " " + dir + ": " + JobFailure.firstLine(e));
    }
  }
}
