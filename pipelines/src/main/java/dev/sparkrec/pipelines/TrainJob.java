package dev.sparkrec.pipelines;

import dev.sparkrec.afn.AFN;
import dev.sparkrec.deepfm.DeepFM;
import dev.sparkrec.fia.MatrixFactorization;
import dev.sparkrec.fia.NeuralCF;
import dev.sparkrec.fm.FactorizationMachine;
import dev.sparkrec.ml.EmbeddingModel;
import dev.sparkrec.train.TrainingSummary;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.SparkSession;

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
final class TrainJob {

  static final List<String> CTR_MODELS = List.of("afn", "afn+", "fm", "deepfm");
  static final List<String> RATING_MODELS = List.of("mf", "ncf");
  /** Models whose inputs (cold-user episodes, behaviour sequences) the command line does not assemble yet. */
  static final List<String> API_ONLY_MODELS = List.of("resus", "lightningseq");

  static final Set<String> OPTIONS = Set.of("model", "input", "format", "input-version", "input-timestamp",
      "categorical", "numeric", "label", "user", "item", "rating", "max-iter", "seed", "params", "model-out");

  private TrainJob() {}

  static int main(String[] args, PrintStream out) {
    CommandLine line = CommandLine.parse(args, OPTIONS, Set.of("overwrite"));
    if (!line.positional().isEmpty()) {
      throw new CommandLine.UsageException("train takes no positional arguments: " + line.positional());
    }
    String kind = required(line, "model").toLowerCase(Locale.ROOT);
    if (API_ONLY_MODELS.contains(kind)) {
      throw new CommandLine.UsageException("train --model " + kind + " is not available from the command line yet; "
          + "fit " + ("resus".equals(kind) ? "RESUS" : "LightningSeq") + " through the Java API.");
    }
    if (!CTR_MODELS.contains(kind) && !RATING_MODELS.contains(kind)) {
      throw new CommandLine.UsageException("Unknown model '" + kind + "'; models: "
          + String.join(", ", CTR_MODELS) + ", " + String.join(", ", RATING_MODELS) + ".");
    }
    String input = required(line, "input");
    String modelOut = required(line, "model-out");
    String format = line.option("format", "delta");
    Pipeline pipeline = pipeline(kind, format, line);

    SparkSession spark = Main.session("sparkrec train " + kind);
    requireFreshOutput(spark, modelOut, line.flag("overwrite"));
    JobInput.Read read = JobInput.read(spark, input, format, longOption(line, "input-version"),
        line.option("input-timestamp", null));
    long start = System.nanoTime();
    PipelineModel model;
    try {
      model = pipeline.fit(read.data());
    } catch (IllegalArgumentException e) {
      throw new JobFailure(kind + " cannot train on " + input + ": " + JobFailure.firstLine(e));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    try {
      model.write().overwrite().save(modelOut);
    } catch (IOException e) {
      throw new JobFailure("cannot save the model to " + modelOut + ": " + JobFailure.firstLine(e));
    }
    String modelUid = model.stages()[model.stages().length - 1].uid();
    String ratingCol = RATING_MODELS.contains(kind) ? line.option("rating", "rating") : null;
    new TrainingRecord(kind, model.uid(), modelUid, read.input(), ratingCol, seconds).write(spark, modelOut);
    out.println("sparkrec train: " + kind + " on " + read.input().describe());
    out.println(String.format(Locale.ROOT, "  trained in      %.1f s", seconds));
    out.println("  model           " + modelOut + " (" + modelUid + ")");
    out.println("  recorded in     " + new Path(modelOut, TrainingRecord.FILE));
    out.println("  report          " + report(kind, modelUid, read.input(), seconds, model).write(spark, modelOut));
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

  /** The unfitted pipeline for {@code kind}; fails on options that do not fit the model or the format. */
  static Pipeline pipeline(String kind, String format, CommandLine line) {
    Estimator<?> model = switch (kind) {
      case "afn" -> new AFN();
      case "afn+" -> new AFN().setEnsemble(true);
      case "fm" -> new FactorizationMachine();
      case "deepfm" -> new DeepFM();
      case "mf" -> new MatrixFactorization();
      default -> new NeuralCF();
    };
    Long maxIter = longOption(line, "max-iter");
    if (maxIter != null) {
      setParam(model, "maxIter", Math.toIntExact(maxIter));
    }
    Long seed = longOption(line, "seed");
    if (seed != null) {
      setParam(model, "seed", seed);
    }
    applyParams(model, line.option("params", null));
    String[] categorical = list(line.option("categorical", null));
    String[] numeric = list(line.option("numeric", null));
    if (RATING_MODELS.contains(kind)) {
      if (categorical.length > 0 || numeric.length > 0 || line.option("label", null) != null) {
        throw new CommandLine.UsageException("--categorical, --numeric and --label are for CTR models; " + kind
            + " reads --user, --item and --rating.");
      }
      setParam(model, "userCol", line.option("user", "user"));
      setParam(model, "itemCol", line.option("item", "item"));
      setParam(model, "ratingCol", line.option("rating", "rating"));
      return new Pipeline().setStages(new PipelineStage[] {model});
    }
    for (String ratingOption : List.of("user", "item", "rating")) {
      if (line.option(ratingOption, null) != null) {
        throw new CommandLine.UsageException("--" + ratingOption + " is for rating models (mf, ncf); " + kind
            + " reads --categorical, --numeric and --label.");
      }
    }
    if ("libfm".equals(format)) {
      if (categorical.length > 0 || numeric.length > 0 || line.option("label", null) != null) {
        throw new CommandLine.UsageException("--format libfm is encoded already (featureIds, featureValues, "
            + "label); --categorical, --numeric and --label are for raw tables.");
      }
      return new Pipeline().setStages(new PipelineStage[] {model});
    }
    if (categorical.length == 0 && numeric.length == 0) {
      throw new CommandLine.UsageException("train --model " + kind + " needs the fields to encode: --categorical "
          + "a,b,... and/or --numeric c,... (or --format libfm for encoded rows).");
    }
    CtrPipelineBuilder builder = RecPipelines.ctr().categorical(categorical).numeric(numeric).model(model);
    if (line.option("label", null) != null) {
      builder.label(line.option("label", null));
    }
    return builder.build();
  }

  /**
   * {@code --params "embeddingDim=8 hiddenLayers=[64,64] loss=bce"}: any of the model's params, each value in
   * Spark ML's JSON form (a string may go without quotes).
   */
  static void applyParams(Estimator<?> model, String params) {
    if (params == null || params.isBlank()) {
      return;
    }
    for (String assignment : params.trim().split("\\s+")) {
      int eq = assignment.indexOf('=');
      if (eq <= 0) {
        throw new CommandLine.UsageException("--params takes name=value pairs separated by spaces; got '"
            + assignment + "'.");
      }
      String name = assignment.substring(0, eq);
      String value = assignment.substring(eq + 1);
      if (!model.hasParam(name)) {
        throw new CommandLine.UsageException(model.getClass().getSimpleName() + " has no param '" + name
            + "'; its params: " + Arrays.stream(model.params()).map(Param::name).sorted()
                .collect(java.util.stream.Collectors.joining(", ")) + ".");
      }
      @SuppressWarnings("unchecked")
      Param<Object> param = (Param<Object>) model.getParam(name);
      Object decoded;
      try {
        decoded = param.jsonDecode(value);
      } catch (RuntimeException notJson) {
        try {
          decoded = param.jsonDecode("\"" + value + "\"");
        } catch (RuntimeException e) {
          throw new CommandLine.UsageException("--params " + name + ": '" + value + "' is not a valid value ("
              + param.doc() + ").");
        }
      }
      if (!Boolean.TRUE.equals(param.isValid().apply(decoded))) {
        throw new CommandLine.UsageException("--params " + name + ": " + value + " is not allowed (" + param.doc()
            + ").");
      }
      model.set(param, decoded);
    }
  }

  private static void requireFreshOutput(SparkSession spark, String dir, boolean overwrite) {
    if (overwrite) {
      return;
    }
    Path path = new Path(dir);
    try {
      if (path.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(path)) {
        throw new JobFailure("model output " + dir + " exists; pass --overwrite to replace it.");
      }
    } catch (IOException e) {
      throw new JobFailure("cannot check the model output " + dir + ": " + JobFailure.firstLine(e));
    }
  }

  @SuppressWarnings("unchecked")
  private static void setParam(Estimator<?> model, String name, Object value) {
    model.set((Param<Object>) model.getParam(name), value);
  }

  static String required(CommandLine line, String name) {
    String value = line.option(name, null);
    if (value == null || value.isBlank()) {
      throw new CommandLine.UsageException("--" + name + " is required.");
    }
    return value;
  }

  static Long longOption(CommandLine line, String name) {
    String value = line.option(name, null);
    if (value == null) {
      return null;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new CommandLine.UsageException("--" + name + " must be an integer, got '" + value + "'.");
    }
  }

  static String[] list(String value) {
    if (value == null || value.isBlank()) {
      return new String[0];
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new);
  }
}
