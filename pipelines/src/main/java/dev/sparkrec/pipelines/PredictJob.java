package dev.sparkrec.pipelines;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sparkrec predict --model DIR --input PATH [--format F] [--input-version N | --input-timestamp T]
 * --output PATH --id-col a[,b]}: scores a table with a saved {@link PipelineModel} and merges the scores into a
 * Delta table keyed by the id columns, so a rerun replaces rows instead of adding them. Rows: the ids, then
 * {@code probability} (the positive class's, double) and {@code prediction} for a classifier, or {@code prediction}
 * for a rating model, then {@code model_uid} (the model stage's uid), {@code model_input_version} (the Delta version
 * the model was trained on, from its {@link TrainingRecord}; null without one or for other formats) and
 * {@code input_version} (the version of the table scored).
 */
@Command(name = "predict", sortOptions = false,
    header = "Score a table with a saved model; MERGE the scores into a Delta table.",
    description = {"Score a table with a saved model and MERGE the scores into a Delta table on the id columns (a rerun",
        "replaces rows), with model_uid, model_input_version and input_version."})
final class PredictJob implements Job {

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "A model saved by train.")
  String modelDir;

  @Mixin
  InputOptions input;

  @Option(names = "--output", required = true, paramLabel = "PATH", description = "The Delta table to merge into.")
  String output;

  @Option(names = "--id-col", required = true, split = ",", paramLabel = "COL",
      description = "The input's key columns, comma-separated: copied to the output and merged on.")
  List<String> idCols;

  @Mixin
  StandardOptions standard;

  @Override
  public int run(PrintStream out) {
    String[] ids = ModelOptions.names(idCols);
    SparkSession spark = Main.session("sparkrec predict");
    PipelineModel model;
    try {
      model = PipelineModel.load(modelDir);
    } catch (Exception e) { // Hadoop's missing-path errors are IOExceptions
      throw new JobFailure("model " + modelDir + " cannot be loaded as a Spark ML PipelineModel: "
          + JobFailure.firstLine(e));
    }
    TrainingRecord record = TrainingRecord.read(spark, modelDir);
    JobInput.Read read = input.read(spark);
    List<String> columns = Arrays.asList(read.data().columns());
    for (String id : ids) {
      if (!columns.contains(id)) {
        throw new JobFailure("input " + input.path + " has no column '" + id + "' (--id-col); its columns: "
            + String.join(", ", columns) + ".");
      }
    }

    Dataset<Row> scored;
    try {
      scored = model.transform(read.data());
    } catch (IllegalArgumentException e) {
      throw new JobFailure("the model cannot score " + input.path + ": " + JobFailure.firstLine(e));
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

    requireUniqueKeys(read.data(), ids, input.path);
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
