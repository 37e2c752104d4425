package dev.sparkrec.pipelines;

import dev.sparkrec.afn.AFN;
import dev.sparkrec.deepfm.DeepFM;
import dev.sparkrec.fia.MatrixFactorization;
import dev.sparkrec.fia.NeuralCF;
import dev.sparkrec.fm.FactorizationMachine;
import dev.sparkrec.resus.RESUS;
import dev.sparkrec.seq.LightningSeq;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.Param;
import picocli.CommandLine.Option;

/**
 * The model a job fits and the columns it reads, declared once for {@code train} and {@code search-dims}: the kind,
 * the CTR fields or the rating columns, {@code maxIter}, {@code seed} and any other param. {@link #pipeline} builds
 * the unfitted Spark ML pipeline: {@link RecPipelines#ctr()}'s encoder and the model for raw CTR fields (RESUS also
 * reads the user and time columns; LightningSeq also a history of one field's values), the model alone for encoded
 * ({@code libfm}) rows, for rating models and for LightningSeq on encoded rows with a history of ids.
 */
final class ModelOptions {

  static final List<String> CTR_MODELS = List.of("afn", "afn+", "fm", "deepfm");
  static final List<String> RATING_MODELS = List.of("mf", "ncf");
  /** Cold-start models: CTR fields plus the user and the order of a user's interactions. */
  static final List<String> COLD_START_MODELS = List.of("resus");
  /** Sequence models: encoded rows (featureIds, optional featureValues, label) with a history of ids. */
  static final List<String> SEQUENCE_MODELS = List.of("lightningseq");

  @Option(names = "--model", required = true, paramLabel = "KIND",
      description = "afn, afn+, fm, deepfm, mf, ncf, resus or lightningseq.")
  String kind;

  @Option(names = "--categorical", split = ",", paramLabel = "COL",
      description = "CTR models: the categorical fields to encode, comma-separated.")
  List<String> categorical = new ArrayList<>();

  @Option(names = "--numeric", split = ",", paramLabel = "COL",
      description = "CTR models: the numeric fields to encode, comma-separated.")
  List<String> numeric = new ArrayList<>();

  @Option(names = "--label", paramLabel = "COL", description = "CTR models: the 0/1 label column (default: label).")
  String label;

  @Option(names = "--user", paramLabel = "COL", description = "mf, ncf, resus: the user id column (default: user).")
  String user;

  @Option(names = "--item", paramLabel = "COL", description = "mf, ncf: the item id column (default: item).")
  String item;

  @Option(names = "--rating", paramLabel = "COL", description = "mf, ncf: the rating column (default: rating).")
  String rating;

  @Option(names = "--time", paramLabel = "COL",
      description = "resus: the column ordering a user's interactions (a timestamp or an index).")
  String time;

  @Option(names = "--history", paramLabel = "COL",
      description = "lightningseq: the array column of each row's earlier events, oldest first: raw values of "
          + "--history-field, or with encoded rows ids of their encoding.")
  String history;

  @Option(names = "--history-field", paramLabel = "FIELD",
      description = "lightningseq on raw fields: the --categorical field whose values --history holds.")
  String historyField;

  @Option(names = "--base-params", paramLabel = "'NAME=VALUE ...'",
      description = "resus: params of its DeepFM base predictor (embeddingDim, hiddenLayers and seed follow "
          + "RESUS's unless given), e.g. 'maxIter=3'.")
  String baseParams;

  @Option(names = "--max-iter", paramLabel = "N", description = "The model's maxIter (epochs).")
  Integer maxIter;

  @Option(names = "--seed", paramLabel = "S", description = "The model's seed.")
  Long seed;

  @Option(names = "--params", paramLabel = "'NAME=VALUE ...'",
      description = "Any of the model's params, e.g. 'embeddingDim=8 hiddenLayers=[64,64] stepSize=0.01'; "
          + "values in Spark ML's JSON form (a string may go without quotes).")
  String params;

  /** {@code --model}, lower-cased; a usage error for a kind the command line cannot fit. */
  String kind(String command) {
    String k = kind.toLowerCase(Locale.ROOT);
    if (!CTR_MODELS.contains(k) && !RATING_MODELS.contains(k) && !COLD_START_MODELS.contains(k)
        && !SEQUENCE_MODELS.contains(k)) {
      throw new UsageException("Unknown model '" + k + "'; models: " + String.join(", ", CTR_MODELS) + ", "
          + String.join(", ", RATING_MODELS) + ", " + String.join(", ", COLD_START_MODELS) + ", "
          + String.join(", ", SEQUENCE_MODELS) + ".");
    }
    return k;
  }

  /** Whether the model reads ratings (user, item, rating) rather than CTR fields. */
  boolean ratingModel() {
    return RATING_MODELS.contains(kind.toLowerCase(Locale.ROOT));
  }

  /** The rating column a rating model reads, or null for a CTR model. */
  String ratingCol() {
    return ratingModel() ? (rating != null ? rating : "rating") : null;
  }

  /**
   * Fits the model's optional columns to the table read: a sequence model whose {@code featureValuesCol} was left
   * at its default reads every value as 1 when the table has no such column.
   */
  static void adaptToInput(Estimator<?> model, List<String> columns) {
    if (model instanceof LightningSeq sequence && !sequence.isSet(sequence.featureValuesCol())
        && !columns.contains(sequence.getFeatureValuesCol())) {
      sequence.setFeatureValuesCol("");
    }
  }

  /** The unfitted model with {@code --max-iter}, {@code --seed} and {@code --params} set. */
  Estimator<?> estimator(String command) {
    Estimator<?> model = switch (kind(command)) {
      case "afn" -> new AFN();
      case "afn+" -> new AFN().setEnsemble(true);
      case "fm" -> new FactorizationMachine();
      case "deepfm" -> new DeepFM();
      case "mf" -> new MatrixFactorization();
      case "ncf" -> new NeuralCF();
      case "resus" -> new RESUS();
      default -> new LightningSeq();
    };
    if (maxIter != null) {
      setParam(model, "maxIter", maxIter);
    }
    if (seed != null) {
      setParam(model, "seed", seed);
    }
    applyParams(model, params);
    if (model instanceof RESUS resus && baseParams != null) {
      DeepFM base = new DeepFM().setEmbeddingDim(resus.getEmbeddingDim()).setHiddenLayers(resus.getHiddenLayers())
          .setSeed(resus.getSeed());
      applyParams(base, baseParams, "--base-params");
      resus.setBaseEstimator(base);
    } else if (baseParams != null) {
      throw new UsageException("--base-params is for resus (its base predictor); " + kind + " takes --params.");
    }
    return model;
  }

  /** The unfitted pipeline ending in {@code model}; fails on options that do not fit the model or the format. */
  Pipeline pipeline(Estimator<?> model, String format, String command) {
    String[] categoricalCols = names(categorical);
    String[] numericCols = names(numeric);
    if (model instanceof LightningSeq sequence) {
      if (user != null || item != null || rating != null || time != null) {
        throw new UsageException("lightningseq reads --categorical/--numeric fields (or encoded rows), --label and "
            + "--history; --user, --item, --rating and --time are for other models.");
      }
      if (history == null) {
        throw new UsageException(command + " --model lightningseq needs --history COL: the array column of each "
            + "row's earlier events (raw values of --history-field, or ids of encoded rows).");
      }
      if (categoricalCols.length == 0 && numericCols.length == 0) { // encoded rows: the history holds ids
        if (historyField != null) {
          throw new UsageException("--history-field names the field of raw rows' histories; encoded rows' "
              + "histories are ids already.");
        }
        sequence.setHistoryCol(history);
        if (label != null) {
          sequence.setLabelCol(label);
        }
        return new Pipeline().setStages(new PipelineStage[] {model});
      }
      if (historyField == null) {
        throw new UsageException(command + " --model lightningseq on raw fields needs --history-field FIELD: the "
            + "field (one of --categorical) whose values --history holds.");
      }
      CtrPipelineBuilder builder = RecPipelines.ctr().categorical(categoricalCols).numeric(numericCols)
          .sequence(history, historyField).model(model);
      if (label != null) {
        builder.label(label);
      }
      try {
        return builder.build();
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
    if (history != null || historyField != null) {
      throw new UsageException("--history and --history-field are for lightningseq; " + kind + " reads no history.");
    }
    if (ratingModel()) {
      if (categoricalCols.length > 0 || numericCols.length > 0 || label != null || time != null) {
        throw new UsageException("--categorical, --numeric, --label and --time are for CTR models; " + kind
            + " reads --user, --item and --rating.");
      }
      setParam(model, "userCol", user != null ? user : "user");
      setParam(model, "itemCol", item != null ? item : "item");
      setParam(model, "ratingCol", ratingCol());
      return new Pipeline().setStages(new PipelineStage[] {model});
    }
    boolean coldStart = model instanceof RESUS;
    if (coldStart) {
      if (item != null || rating != null) {
        throw new UsageException("--item and --rating are for rating models (mf, ncf); resus reads --user, --time, "
            + "--categorical, --numeric and --label.");
      }
      if (time == null) {
        throw new UsageException(command + " --model resus needs --time COL: the column ordering each user's "
            + "interactions (their first ones adapt the model).");
      }
      if ("libfm".equals(format)) {
        throw new UsageException("resus reads raw fields with a user and a time column; --format libfm has "
            + "neither.");
      }
      setParam(model, "userCol", user != null ? user : "user");
      setParam(model, "timeCol", time);
    } else if (user != null || item != null || rating != null || time != null) {
      throw new UsageException("--user, --item and --rating are for rating models (mf, ncf), --time for resus; "
          + kind + " reads --categorical, --numeric and --label.");
    }
    if ("libfm".equals(format)) {
      if (categoricalCols.length > 0 || numericCols.length > 0 || label != null) {
        throw new UsageException("--format libfm is encoded already (featureIds, featureValues, "
            + "label); --categorical, --numeric and --label are for raw tables.");
      }
      return new Pipeline().setStages(new PipelineStage[] {model});
    }
    if (categoricalCols.length == 0 && numericCols.length == 0) {
      throw new UsageException(command + " --model " + kind + " needs the fields to encode: --categorical "
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
    applyParams(model, params, "--params");
  }

  private static void applyParams(Estimator<?> model, String params, String option) {
    if (params == null || params.isBlank()) {
      return;
    }
    for (String assignment : params.trim().split("\\s+")) {
      int eq = assignment.indexOf('=');
      if (eq <= 0) {
        throw new UsageException(option + " takes name=value pairs separated by spaces; got '"
            + assignment + "'.");
      }
      String name = assignment.substring(0, eq);
      String value = assignment.substring(eq + 1);
      if (!model.hasParam(name)) {
        throw new UsageException(model.getClass().getSimpleName() + " has no param '" + name
            + "'; its params: " + Arrays.stream(model.params()).map(Param::name).sorted()
                .collect(Collectors.joining(", ")) + ".");
      }
      @SuppressWarnings("unchecked")
      Param<Object> param = (Param<Object>) model.getParam(name);
      Object decoded;
      try {
        decoded = param.jsonDecode(value);
      } catch (Exception notJson) { // Spark's JSON parser throws checked exceptions too
        try {
          decoded = param.jsonDecode("\"" + value + "\"");
        } catch (Exception e) {
          throw new UsageException(option + " " + name + ": '" + value + "' is not a valid value ("
              + param.doc() + ").");
        }
      }
      if (!Boolean.TRUE.equals(param.isValid().apply(decoded))) {
        throw new UsageException(option + " " + name + ": " + value + " is not allowed (" + param.doc()
            + ").");
      }
      model.set(param, decoded);
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
