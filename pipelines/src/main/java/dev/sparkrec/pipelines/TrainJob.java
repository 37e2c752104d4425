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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.Param;
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
        "rating models (mf, ncf) read --user, --item, --rating."})
final class TrainJob implements Job {

  static final List<String> CTR_MODELS = List.of("afn", "afn+", "fm", "deepfm");
  static final List<String> RATING_MODELS = List.of("mf", "ncf");
  /** Models whose inputs (cold-user episodes, behaviour sequences) the command line does not assemble yet. */
  static final List<String> API_ONLY_MODELS = List.of("resus", "lightningseq");

  @Option(names = "--model", required = true, paramLabel = "KIND",
      description = "afn, afn+, fm, deepfm, mf or ncf.")
  String kind;

  @Mixin
  InputOptions input;

  @Option(names = "--model-out", required = true, paramLabel = "DIR", description = "Where to save the model.")
  String modelOut;

  @Option(names = "--overwrite", description = "Replace a model already saved at --model-out.")
  boolean overwrite;

  @Option(names = "--categorical", split = ",", paramLabel = "COL",
      description = "CTR models: the categorical fields to encode, comma-separated.")
  List<String> categorical = new ArrayList<>();

  @Option(names = "--numeric", split = ",", paramLabel = "COL",
      description = "CTR models: the numeric fields to encode, comma-separated.")
  List<String> numeric = new ArrayList<>();

  @Option(names = "--label", paramLabel = "COL", description = "CTR models: the 0/1 label column (default: label).")
  String label;

  @Option(names = "--user", paramLabel = "COL", description = "mf, ncf: the user id column (default: user).")
  String user;

  @Option(names = "--item", paramLabel = "COL", description = "mf, ncf: the item id column (default: item).")
  String item;

  @Option(names = "--rating", paramLabel = "COL", description = "mf, ncf: the rating column (default: rating).")
  String rating;

  @Option(names = "--max-iter", paramLabel = "N", description = "The model's maxIter (epochs).")
  Integer maxIter;

  @Option(names = "--seed", paramLabel = "S", description = "The model's seed.")
  Long seed;

  @Option(names = "--params", paramLabel = "'NAME=VALUE ...'",
      description = "Any of the model's params, e.g. 'embeddingDim=8 hiddenLayers=[64,64] stepSize=0.01'; "
          + "values in Spark ML's JSON form (a string may go without quotes).")
  String params;

  @Mixin
  StandardOptions standard;

  @Override
  public int run(PrintStream out) {
    kind = kind.toLowerCase(Locale.ROOT);
    if (API_ONLY_MODELS.contains(kind)) {
      throw new UsageException("train --model " + kind + " is not available from the command line yet; "
          + "fit " + ("resus".equals(kind) ? "RESUS" : "LightningSeq") + " through the Java API.");
    }
    if (!CTR_MODELS.contains(kind) && !RATING_MODELS.contains(kind)) {
      throw new UsageException("Unknown model '" + kind + "'; models: "
          + String.join(", ", CTR_MODELS) + ", " + String.join(", ", RATING_MODELS) + ".");
    }
    Pipeline pipeline = pipeline();

    SparkSession spark = Main.session("sparkrec train " + kind);
    requireFreshOutput(spark, modelOut, overwrite);
    JobInput.Read read = input.read(spark);
    long start = System.nanoTime();
    PipelineModel model;
    try {
      model = pipeline.fit(read.data());
    } catch (IllegalArgumentException e) {
      throw new JobFailure(kind + " cannot train on " + input.path + ": " + JobFailure.firstLine(e));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    try {
      model.write().overwrite().save(modelOut);
    } catch (IOException e) {
      throw new JobFailure("cannot save the model to " + modelOut + ": " + JobFailure.firstLine(e));
    }
    String modelUid = model.stages()[model.stages().length - 1].uid();
    String ratingCol = RATING_MODELS.contains(kind) ? (rating != null ? rating : "rating") : null;
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
  Pipeline pipeline() {
    Estimator<?> model = switch (kind) {
      case "afn" -> new AFN();
      case "afn+" -> new AFN().setEnsemble(true);
      case "fm" -> new FactorizationMachine();
      case "deepfm" -> new DeepFM();
      case "mf" -> new MatrixFactorization();
      default -> new NeuralCF();
    };
    if (maxIter != null) {
      setParam(model, "maxIter", maxIter);
    }
    if (seed != null) {
      setParam(model, "seed", seed);
    }
    applyParams(model, params);
    String[] categoricalCols = names(categorical);
    String[] numericCols = names(numeric);
    if (RATING_MODELS.contains(kind)) {
      if (categoricalCols.length > 0 || numericCols.length > 0 || label != null) {
        throw new UsageException("--categorical, --numeric and --label are for CTR models; " + kind
            + " reads --user, --item and --rating.");
      }
      setParam(model, "userCol", user != null ? user : "user");
      setParam(model, "itemCol", item != null ? item : "item");
      setParam(model, "ratingCol", rating != null ? rating : "rating");
      return new Pipeline().setStages(new PipelineStage[] {model});
    }
    if (user != null || item != null || rating != null) {
      throw new UsageException("--user, --item and --rating are for rating models (mf, ncf); " + kind
          + " reads --categorical, --numeric and --label.");
    }
    if ("libfm".equals(input.format)) {
      if (categoricalCols.length > 0 || numericCols.length > 0 || label != null) {
        throw new UsageException("--format libfm is encoded already (featureIds, featureValues, "
            + "label); --categorical, --numeric and --label are for raw tables.");
      }
      return new Pipeline().setStages(new PipelineStage[] {model});
    }
    if (categoricalCols.length == 0 && numericCols.length == 0) {
      throw new UsageException("train --model " + kind + " needs the fields to encode: --categorical "
          + "a,b,... and/or --numeric c,... (or --format libfm for encoded rows).");
    }
    CtrPipelineBuilder builder = RecPipelines.ctr().categorical(categoricalCols).numeric(numericCols).model(model);
    if (label != null) {
      builder.label(label);
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
        throw new UsageException("--params takes name=value pairs separated by spaces; got '"
            + assignment + "'.");
      }
      String name = assignment.substring(0, eq);
      String value = assignment.substring(eq + 1);
      if (!model.hasParam(name)) {
        throw new UsageException(model.getClass().getSimpleName() + " has no param '" + name
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
          throw new UsageException("--params " + name + ": '" + value + "' is not a valid value ("
              + param.doc() + ").");
        }
      }
      if (!Boolean.TRUE.equals(param.isValid().apply(decoded))) {
        throw new UsageException("--params " + name + ": " + value + " is not allowed (" + param.doc()
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

  /** Column names from a comma-separated option, blanks dropped. */
  static String[] names(List<String> values) {
    return values.stream().map(String::trim).filter(v -> !v.isEmpty()).toArray(String[]::new);
  }
}
