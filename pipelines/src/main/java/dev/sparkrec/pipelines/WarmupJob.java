package dev.sparkrec.pipelines;

import static org.apache.spark.sql.functions.lit;

import dev.sparkrec.resus.RESUSModel;
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
 * {@code sparkrec warmup --model DIR --input PATH --output PATH [--format F] [--input-version N]}: RESUS's
 * adaptation table for the users of a table of their (first) interactions, merged into a Delta table keyed by the
 * user, so a rerun with more interactions replaces each user's row. The model is a saved {@link RESUSModel}, or a
 * saved {@code PipelineModel} ending in one (the stages before it, e.g. a field encoder, prepare the rows). Rows:
 * user, {@code supportSize}, {@code adaptation}, {@code model_uid}, {@code input_version}. Serving then reads the
 * table with {@code RESUSModel.setAdaptation}.
 */
final class WarmupJob {

  static final Set<String> OPTIONS = Set.of("model", "input", "format", "input-version", "input-timestamp", "output");

  private WarmupJob() {}

  static int main(String[] args, PrintStream out) {
    CommandLine line = CommandLine.parse(args, OPTIONS, Set.of());
    if (!line.positional().isEmpty()) {
      throw new CommandLine.UsageException("warmup takes no positional arguments: " + line.positional());
    }
    String modelDir = TrainJob.required(line, "model");
    String input = TrainJob.required(line, "input");
    String output = TrainJob.required(line, "output");

    SparkSession spark = Main.session("sparkrec warmup");
    Transformer[] stages = stages(modelDir);
    RESUSModel resus = (RESUSModel) stages[stages.length - 1];
    JobInput.Read read = JobInput.read(spark, input, line.option("format", "delta"),
        TrainJob.longOption(line, "input-version"), line.option("input-timestamp", null));
    Dataset<Row> rows = read.data();
    Dataset<Row> adaptation;
    try {
      for (int s = 0; s < stages.length - 1; s++) {
        rows = stages[s].transform(rows);
      }
      adaptation = resus.adapt(rows);
    } catch (IllegalArgumentException e) {
      throw new JobFailure("cannot warm up users from " + input + ": " + JobFailure.firstLine(e));
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
