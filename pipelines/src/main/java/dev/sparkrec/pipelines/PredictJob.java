package dev.sparkrec.pipelines;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code sparkrec predict --model DIR --input PATH [--format F] [--input-version N | --input-timestamp T]
 * --output PATH --id-col a[,b]}: scores a table with a saved {@link PipelineModel} and merges the scores into a
 * Delta table keyed by the id columns, so a rerun replaces rows instead of adding them. Rows: the ids, then
 * {@code probability} (the positive class's, double) and {@code prediction} for a classifier, or {@code prediction}
 * for a rating model, then {@code model_uid} (the model stage's uid), {@code model_input_version} (the Delta version
 * the model was trained on, from its {@link TrainingRecord}; null without one or for other formats) and
 * {@code input_version} (the version of the table scored).
 */
final class PredictJob {

  static final Set<String> OPTIONS = Set.of("model", "input", "format", "input-version", "input-timestamp", "output",
      "id-col");

  private PredictJob() {}

  static int main(String[] args, PrintStream out) {
    CommandLine line = CommandLine.parse(args, OPTIONS, Set.of());
    if (!line.positional().isEmpty()) {
      throw new CommandLine.UsageException("predict takes no positional arguments: " + line.positional());
    }
    String modelDir = TrainJob.required(line, "model");
    String input = TrainJob.required(line, "input");
    String output = TrainJob.required(line, "output");
    String[] ids = TrainJob.list(TrainJob.required(line, "id-col"));
    String format = line.option("format", "delta");

    SparkSession spark = Main.session("sparkrec predict");
    PipelineModel model;
    try {
      model = PipelineModel.load(modelDir);
    } catch (Exception e) { // Hadoop's missing-path errors are IOExceptions
      throw new JobFailure("model " + modelDir + " cannot be loaded as a Spark ML PipelineModel: "
          + JobFailure.firstLine(e));
    }
    TrainingRecord record = TrainingRecord.read(spark, modelDir);
    JobInput.Read read = JobInput.read(spark, input, format, TrainJob.longOption(line, "input-version"),
        line.option("input-timestamp", null));
    List<String> columns = Arrays.asList(read.data().columns());
    for (String id : ids) {
      if (!columns.contains(id)) {
        throw new JobFailure("input " + input + " has no column '" + id + "' (--id-col); its columns: "
            + String.join(", ", columns) + ".");
      }
    }

    Dataset<Row> scored;
    try {
      scored = model.transform(read.data());
    } catch (IllegalArgumentException e) {
      throw new JobFailure("the model cannot score " + input + ": " + JobFailure.firstLine(e));
    }
    List<Column> selected = new ArrayList<>();
    for (String id : ids) {
      selected.add(col(id));
    }
    if (Arrays.asList(scored.columns()).contains("probability")) {
      selected.add(functions.vector_to_array(col("probability"), "float64").getItem(1).as("probability"));
    }
    selected.add(col("prediction").cast(DataTypes.DoubleType).as("prediction"));
    String modelUid = record != null ? record.modelUid() : model.stages()[model.stages().length - 1].uid();
    Long modelInputVersion = record != null ? record.input().version() : null;
    selected.add(lit(modelUid).as("model_uid"));
    selected.add(lit(modelInputVersion).cast(DataTypes.LongType).as("model_input_version"));
    selected.add(lit(read.input().version()).cast(DataTypes.LongType).as("input_version"));
    Dataset<Row> rows = scored.select(selected.toArray(new Column[0]));

    requireUniqueKeys(read.data(), ids, input);
    long version = merge(spark, rows, ids, output);
    out.println("sparkrec predict: " + read.input().rows() + " rows of " + read.input().describe());
    out.println("  model           " + modelDir + " (" + modelUid + ")");
    out.println("  output          " + output + " (Delta table, version " + version + ", merged on "
        + String.join(", ", ids) + ")");
    return 0;
  }

  /** MERGE needs one source row per key: fails naming a repeated key. */
  static void requireUniqueKeys(Dataset<Row> input, String[] ids, String path) {
    Column[] keys = Arrays.stream(ids).map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    List<Row> repeated = input.groupBy(keys).count().where(col("count").gt(1)).limit(1).collectAsList();
    if (!repeated.isEmpty()) {
      Row r = repeated.get(0);
      String key = Arrays.stream(ids).map(id -> id + "=" + r.get(r.fieldIndex(id))).collect(Collectors.joining(", "));
      throw new JobFailure("input " + path + " has " + r.getLong(r.fieldIndex("count")) + " rows with " + key
          + "; --id-col must identify one row each.");
    }
  }

  /** Inserts new keys and updates existing ones; returns the output table's version after the write. */
  static long merge(SparkSession spark, Dataset<Row> rows, String[] ids, String output) {
    if (DeltaTable.isDeltaTable(spark, output)) {
      String condition = Arrays.stream(ids).map(id -> "t.`" + id + "` <=> s.`" + id + "`")
          .collect(Collectors.joining(" AND "));
      DeltaTable.forPath(spark, output).as("t").merge(rows.as("s"), condition)
          .whenMatched().updateAll()
          .whenNotMatched().insertAll()
          .execute();
    } else {
      rows.write().format("delta").save(output);
    }
    return DeltaTable.forPath(spark, output).history(1).select("version").first().getLong(0);
  }
}
