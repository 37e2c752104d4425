package dev.sparkrec.pipelines;

import static org.apache.spark.sql.functions.lit;

import dev.sparkrec.resus.RESUSModel;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
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
 * {@code sparkrec warmup --model DIR --input PATH --output PATH [--format F] [--input-version N]}: RESUS's
 * adaptation table for the users of a table of their (first) interactions, merged into a Delta table keyed by the
 * user, so a rerun with more interactions replaces each user's row. The model is a saved {@link RESUSModel}, or a
 * saved {@code PipelineModel} ending in one (the stages before it, e.g. a field encoder, prepare the rows). Rows:
 * user, {@code supportSize}, {@code adaptation}, {@code model_uid}, {@code input_version}. Serving then reads the
 * table with {@code RESUSModel.setAdaptation}.
 */
@Command(name = "warmup", sortOptions = false,
    header = "RESUS adaptation table for cold users; MERGEd into a Delta table.",
    description = {"RESUS's adaptation table for the users of a table (their first interactions), MERGEd into a Delta",
        "table on the user; the model is a saved RESUSModel or a PipelineModel ending in one."})
final class WarmupJob implements Job {

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "A saved RESUSModel, or a PipelineModel ending in one.")
  String modelDir;

  @Mixin
  InputOptions input;

  @Option(names = "--output", required = true, paramLabel = "PATH", description = "The Delta table to merge into.")
  String output;

  @Mixin
  StandardOptions standard;

  @Override
  public int run(PrintStream out) {
    SparkSession spark = Main.session("sparkrec warmup");
    Transformer[] stages = stages(modelDir);
    RESUSModel resus = (RESUSModel) stages[stages.length - 1];
    JobInput.Read read = input.read(spark);
    Dataset<Row> rows = read.data();
    Dataset<Row> adaptation;
    try {
      for (int s = 0; s < stages.length - 1; s++) {
        rows = stages[s].transform(rows);
      }
      adaptation = resus.adapt(rows);
    } catch (IllegalArgumentException e) {
      throw new JobFailure("cannot warm up users from " + input.path + ": " + JobFailure.firstLine(e));
    }
    Dataset<Row> table = adaptation
        .withColumn("model_uid", lit(resus.uid()))
        .withColumn("input_version", lit(read.input().version()).cast(DataTypes.LongType));
    long version = PredictJob.merge(spark, table, new String[] {resus.getUserCol()}, output);
    out.println("sparkrec warmup: the users of " + read.input().describe());
    out.println("  model           " + modelDir + " (" + resus.uid() + ")");
    out.println("  output          " + output + " (Delta table, version " + version + ", merged on "
        + resus.getUserCol() + ")");
    return 0;
  }

  /** The saved pipeline's stages, its last a RESUSModel, or the saved RESUSModel alone. */
  private static Transformer[] stages(String modelDir) {
    Transformer[] stages;
    try {
      stages = PipelineModel.load(modelDir).stages();
    } catch (Exception notAPipeline) { // Hadoop's missing-path errors are IOExceptions
      try {
        stages = new Transformer[] {RESUSModel.load(modelDir)};
      } catch (Exception e) {
        throw new JobFailure("model " + modelDir + " cannot be loaded as a RESUSModel or a PipelineModel: "
            + JobFailure.firstLine(notAPipeline));
      }
    }
    if (!(stages[stages.length - 1] instanceof RESUSModel)) {
      List<String> kinds = Arrays.stream(stages).map(s -> s.getClass().getSimpleName()).toList();
      throw new JobFailure("model " + modelDir + " is " + kinds + "; warmup needs a RESUS model.");
    }
    return stages;
  }
}
