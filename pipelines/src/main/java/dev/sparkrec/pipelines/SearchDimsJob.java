package dev.sparkrec.pipelines;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import dev.sparkrec.ml.EmbeddingEstimator;
import dev.sparkrec.nis.EmbeddingDimensionsModel;
import dev.sparkrec.nis.NeuralInputSearch;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sparkrec search-dims --model KIND --input PATH ... --dims-out DIR}: NIS ({@link NeuralInputSearch}) searches
 * how many embedding dimensions each frequency block of the model's embedding tables deserves, on the same input and
 * fields {@code train} takes, and saves the {@link EmbeddingDimensionsModel} to {@code DIR} with
 * {@link TrainingRecord} (the input's path, format and Delta version), {@code metrics.json} and {@code report.html}
 * (the search's per-epoch curves and a dimension-per-block chart per table) beside it.
 * {@code train ... --embedding-dims DIR} retrains the model with those dimensions.
 *
 * <p>The selection weights step on validation rows: {@code --validation-col} names a boolean column marking them;
 * otherwise {@code --validation-fraction} of the rows are chosen by a hash of their contents and the seed, so the
 * choice does not depend on the partitioning. The encoder is fitted on every row, as {@code train} fits it, so the
 * searched tables and the retrained ones number their features alike.
 */
@Command(name = "search-dims", sortOptions = false,
    header = "NIS: search a model's embedding dimension per feature block; save them for train.",
    description = {"Differentiable neural input search (NIS) over a model's embedding tables: features ranked by",
        "training frequency are cut into blocks and each block gets the dimensions its validation loss earns.",
        "Saves the dimensions to --dims-out with metrics.json and report.html; train --embedding-dims DIR uses them."})
final class SearchDimsJob implements Job {

  /** The column this job adds to mark the validation rows when no --validation-col is given. */
  static final String VALIDATION_COL = "sparkrecValidation";

  @Mixin
  ModelOptions model;

  @Mixin
  InputOptions input;

  @Option(names = "--dims-out", required = true, paramLabel = "DIR", description = "Where to save the dimensions.")
  String dimsOut;

  @Option(names = "--overwrite", description = "Replace dimensions already saved at --dims-out.")
  boolean overwrite;

  @Option(names = "--validation-col", paramLabel = "COL",
      description = "A boolean column marking the validation rows the selection weights step on.")
  String validationCol;

  @Option(names = "--validation-fraction", paramLabel = "F", defaultValue = "0.1",
      description = "Without --validation-col: the share of rows, chosen by a seeded hash of each row, that "
          + "validate; default: ${DEFAULT-VALUE}.")
  double validationFraction;

  @Option(names = "--num-blocks", paramLabel = "N", description = "Frequency blocks per table (default 10).")
  Integer numBlocks;

  @Option(names = "--warm-start-epochs", paramLabel = "N",
      description = "Epochs with every selection weight at 1 before the search (default 5).")
  Integer warmStartEpochs;

  @Option(names = "--search-epochs", paramLabel = "N", description = "Epochs of the search (default 5).")
  Integer searchEpochs;

  @Option(names = "--l1", paramLabel = "X", description = "Weight of the L1 penalty on the selection weights "
      + "(default 1e-5).")
  Double l1;

  @Option(names = "--pruning", paramLabel = "HOW",
      description = "dimension (a dimension per block, the default) or magnitude (every feature its own entries).")
  String pruning;

  @Option(names = "--budget", paramLabel = "N",
      description = "Prune to at most N stored embedding entries over all tables (one of --budget, "
          + "--budget-fraction, --threshold).")
  Long budget;

  @Option(names = "--budget-fraction", paramLabel = "F",
      description = "Prune to at most this share of the uniform model's embedding entries, e.g. 0.25.")
  Double budgetFraction;

  @Option(names = "--threshold", paramLabel = "T",
      description = "Prune by selection weight: keep the dimensions whose weight exceeds T (default 0.1).")
  Double threshold;

  @Mixin
  StandardOptions standard;

  @Override
  public int run(PrintStream out) {
    String kind = model.kind("search-dims");
    Estimator<?> estimator = model.estimator("search-dims");
    if (!(estimator instanceof EmbeddingEstimator<?>)) {
      throw new UsageException("search-dims searches embedding tables; " + kind + " is not searched directly "
          + "(search its base model's).");
    }
    Pipeline pipeline = model.pipeline(estimator, input.format, "search-dims");
    NeuralInputSearch search = search(estimator);

    SparkSession spark = Main.session("sparkrec search-dims " + kind);
    TrainJob.requireFreshOutput(spark, dimsOut, overwrite, "--dims-out");
    JobInput.Read read = input.read(spark);
    ModelOptions.adaptToInput(estimator, Arrays.asList(read.data().columns()));
    Dataset<Row> rows = withValidation(read.data());
    PipelineStage[] stages = pipeline.getStages();
    long start = System.nanoTime();
    EmbeddingDimensionsModel dims;
    try {
      Dataset<Row> encoded = stages.length == 1 ? rows
          : new Pipeline().setStages(Arrays.copyOf(stages, stages.length - 1)).fit(rows).transform(rows);
      dims = search.fit(encoded);
      if (budgetFraction != null) {
        dims = dims.withParameterBudget(Math.max(1, Math.round(dims.embeddingParametersBefore() * budgetFraction)));
      }
    } catch (IllegalArgumentException e) {
      throw new JobFailure("search-dims " + kind + " cannot search on " + input.path + ": "
          + JobFailure.firstLine(e));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    try {
      dims.write().overwrite().save(dimsOut);
    } catch (IOException e) {
      throw new JobFailure("cannot save the dimensions to " + dimsOut + ": " + JobFailure.firstLine(e));
    }
    new TrainingRecord(kind, dims.uid(), dims.uid(), read.input(), model.ratingCol(), seconds).write(spark, dimsOut);

    out.println("sparkrec search-dims: " + kind + " on " + read.input().describe());
    out.println(String.format(Locale.ROOT, "  searched in     %.1f s", seconds));
    out.println(String.format(Locale.ROOT, "  embedding entries %d -> %d (%.1fx fewer)",
        dims.embeddingParametersBefore(), dims.embeddingParametersAfter(),
        (double) dims.embeddingParametersBefore() / Math.max(1, dims.embeddingParametersAfter())));
    for (String table : dims.tables()) {
      out.println("  " + table + " dims per block (most frequent first): "
          + Arrays.toString(dims.blockDimensions(table)));
    }
    out.println("  dimensions      " + dimsOut + " (" + dims.uid() + ")");
    out.println("  report          " + report(kind, read.input(), seconds, dims).write(spark, dimsOut));
    out.println("  retrain with    bin/sparkrec train --model " + kind + " ... --embedding-dims " + dimsOut);
    return 0;
  }

  /** The saved dimensions at {@code dir}; a missing or foreign folder is one line. */
  static EmbeddingDimensionsModel load(String dir) {
    try {
      return EmbeddingDimensionsModel.load(dir);
    } catch (Exception e) { // Hadoop's missing-path errors are IOExceptions
      throw new JobFailure("embedding dimensions " + dir + " cannot be loaded (saved by search-dims?): "
          + JobFailure.firstLine(e));
    }
  }

  private NeuralInputSearch search(Estimator<?> estimator) {
    int pruneChoices = (budget != null ? 1 : 0) + (budgetFraction != null ? 1 : 0) + (threshold != null ? 1 : 0);
    if (pruneChoices > 1) {
      throw new UsageException("search-dims prunes by one of --budget, --budget-fraction and --threshold.");
    }
    if (budgetFraction != null && !(budgetFraction > 0 && budgetFraction <= 1)) {
      throw new UsageException("--budget-fraction must be in (0, 1], got " + budgetFraction + ".");
    }
    if (validationCol == null && !(validationFraction > 0 && validationFraction < 1)) {
      throw new UsageException("--validation-fraction must be in (0, 1), got " + validationFraction + ".");
    }
    NeuralInputSearch search = new NeuralInputSearch().setEstimator(estimator)
        .setValidationIndicatorCol(validationCol != null ? validationCol : VALIDATION_COL);
    set(search, search.numBlocks(), numBlocks, "--num-blocks");
    set(search, search.warmStartEpochs(), warmStartEpochs, "--warm-start-epochs");
    set(search, search.searchEpochs(), searchEpochs, "--search-epochs");
    set(search, search.l1(), l1, "--l1");
    set(search, search.pruning(), pruning, "--pruning");
    set(search, search.parameterBudget(), budget, "--budget");
    set(search, search.pruneThreshold(), threshold, "--threshold");
    return search;
  }

  @SuppressWarnings("unchecked")
  private static void set(NeuralInputSearch search, Param<?> param, Object value, String option) {
    if (value == null) {
      return;
    }
    if (!Boolean.TRUE.equals(((Param<Object>) param).isValid().apply(value))) {
      throw new UsageException(option + ": " + value + " is not allowed (" + param.doc() + ").");
    }
    search.set((Param<Object>) param, value);
  }

  /** The rows with the validation flag: --validation-col checked, or a seeded hash of every column. */
  private Dataset<Row> withValidation(Dataset<Row> rows) {
    if (validationCol != null) {
      List<String> columns = Arrays.asList(rows.columns());
      if (!columns.contains(validationCol)) {
        throw new JobFailure("--validation-col " + validationCol + " is not a column of " + input.path
            + "; its columns: " + String.join(", ", columns) + ".");
      }
      if (!rows.schema().apply(validationCol).dataType().equals(DataTypes.BooleanType)) {
        throw new JobFailure("--validation-col " + validationCol + " must be boolean; it is "
            + rows.schema().apply(validationCol).dataType().simpleString() + ".");
      }
      return rows;
    }
    Column[] hashed = new Column[rows.columns().length + 1];
    for (int c = 0; c < rows.columns().length; c++) {
      hashed[c] = col("`" + rows.columns()[c] + "`");
    }
    hashed[hashed.length - 1] = lit(model.seed != null ? model.seed : 0L);
    long buckets = 1_000_000L;
    return rows.withColumn(VALIDATION_COL,
        pmod(xxhash64(hashed), lit(buckets)).lt(lit(Math.round(validationFraction * buckets))));
  }

  private static TrainingReport report(String kind, JobInput input, double seconds, EmbeddingDimensionsModel dims) {
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("model", kind);
    metrics.put("dimensions_uid", dims.uid());
    metrics.put("input", input.path());
    metrics.put("input_format", input.format());
    metrics.put("input_version", input.version());
    metrics.put("input_rows", input.rows());
    metrics.put("search_seconds", seconds);
    metrics.put("embedding_parameters_before", dims.embeddingParametersBefore());
    metrics.put("embedding_parameters_after", dims.embeddingParametersAfter());
    metrics.put("embedding_dim", dims.embeddingDim());
    for (String table : dims.tables()) {
      metrics.put("block_dims_" + table, Arrays.toString(dims.blockDimensions(table)));
    }
    TrainingReport report = new TrainingReport("SparkRec search-dims: " + kind + " on " + input.describe(), metrics,
        dims.hasSummary() ? dims.summary() : null);
    for (String table : dims.tables()) {
      int[] blockDims = dims.blockDimensions(table);
      String[] labels = new String[blockDims.length];
      double[] values = new double[blockDims.length];
      for (int b = 0; b < blockDims.length; b++) {
        labels[b] = "b" + b;
        values[b] = blockDims[b];
      }
      report = report.withBars("dims_" + table, "Embedding dimension per frequency block of " + table
          + " (most frequent first)", labels, values);
    }
    return report;
  }
}
