package dev.sparkrec.pipelines;

import dev.sparkrec.pipelines.bench.BenchRunner;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Entry point of {@code bin/sparkrec} and of {@code spark-submit --class dev.sparkrec.pipelines.Main}.
 *
 * <p>Subcommands: {@code demo}, {@code train}, {@code predict}, {@code explain}, {@code warmup}, {@code bench},
 * {@code generate-sample-data}, {@code help}. Exit status 0 on success, 1 when a job fails on what it was given
 * (one line naming the problem) or a benchmarked system fails, 2 on a usage error.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** Runs one subcommand and returns the process exit status. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || Set.of("help", "--help", "-h").contains(args[0])) {
      out.print(help());
      return 0;
    }
    String command = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    try {
      switch (command) {
        case "demo":
          return DemoJob.main(rest, out);
        case "train":
          return TrainJob.main(rest, out);
        case "predict":
          return PredictJob.main(rest, out);
        case "explain":
          return ExplainJob.main(rest, out);
        case "warmup":
          return WarmupJob.main(rest, out);
        case "bench":
          return BenchJob.main(rest, out);
        case "generate-sample-data":
          return SampleDataCommand.main(rest, out);
        default:
          throw new CommandLine.UsageException("Unknown command '" + command + "'.");
      }
    } catch (JobFailure e) {
      err.println("sparkrec " + command + ": " + e.getMessage());
      return 1;
    } catch (CommandLine.UsageException e) {
      err.println("sparkrec: " + e.getMessage());
      err.println();
      err.print(help());
      return 2;
    }
  }

  static String help() {
    return String.join("\n",
        "Usage: bin/sparkrec COMMAND [OPTIONS]",
        "",
        "Commands:",
        "  demo [--out DIR] [--sample-data DIR] [--only ctr]",
        "      Encode the sample CTR data, train the models, evaluate AUC and logloss, write predictions",
        "      as a Delta table under DIR (default target/demo) and print a summary.",
        "  train --model afn|afn+|fm|deepfm|mf|ncf --input PATH --model-out DIR [--overwrite]",
        "        [--format delta|parquet|csv|libfm] [--input-version N | --input-timestamp 'yyyy-MM-dd HH:mm:ss']",
        "        [--categorical a,b,...] [--numeric c,...] [--label COL]      (CTR models on raw fields)",
        "        [--user COL] [--item COL] [--rating COL]                     (mf, ncf; default user, item, rating)",
        "        [--max-iter N] [--seed S] [--params 'embeddingDim=8 hiddenLayers=[64,64] ...']",
        "      Fit a model on a table (Delta by default, at its latest version unless one is given) and save it as",
        "      a Spark ML PipelineModel, with the input's path, format, version and row count in",
        "      DIR/sparkrec-training.json.",
        "  predict --model DIR --input PATH --output PATH --id-col a[,b] [--format F] [--input-version N]",
        "      Score a table with a saved model and MERGE the scores into the Delta table PATH on the id columns",
        "      (a rerun replaces rows), with model_uid, model_input_version and input_version.",
        "  explain --model DIR (--input PATH | --recommend K) --output PATH [--top-k N]",
        "        [--ratings PATH [--ratings-format F] [--ratings-version N] [--rating COL]]",
        "      Explain an mf/ncf model's predictions with FIA (the training ratings the model records, at their",
        "      version) and MERGE them into the Delta table PATH on (user, item), or (user, rank) for --recommend.",
        "  warmup --model DIR --input PATH --output PATH [--format F] [--input-version N]",
        "      RESUS's adaptation table for the users of PATH (their first interactions), MERGEd into the Delta",
        "      table PATH on the user; the model is a saved RESUSModel or a PipelineModel ending in one.",
        "  bench SUITE [--data DIR] --out FILE.json [--quick] [--sweep]",
        "      Run a benchmark suite and write its JSON report; exits 1 if a system fails.",
        "      --sweep (ctr-frappe, nis-ml100k, nis-frappe, fia-ml100k): rerun the search that chose the suite's",
        "      configuration (AFN's; the searches' l1; NCF's retraining length).",
        "      Suites: " + String.join(", ", BenchRunner.suiteNames()),
        "      --data defaults to ../shared/data next to the project when it exists.",
        "  generate-sample-data [--out DIR]",
        "      Regenerate the generated samples in sample-data/ (deterministic).",
        "  help",
        "      Show this text.",
        "",
        "Environment: SPARKREC_MASTER (default local[*]), SPARKREC_DRIVER_MEMORY (default 4g).",
        "",
        "bin/sparkrec [SPARK-SUBMIT OPTIONS] COMMAND ... passes --master, --conf, --packages, --repositories,",
        "--jars, --files, --deploy-mode, --executor-memory, --executor-cores, --num-executors,",
        "--total-executor-cores and --properties-file to spark-submit, e.g. --master spark://host:7077. On a",
        "cluster, spark-submit pipelines/target/pipelines-<version>-app.jar (SparkRec's modules, no Spark, Scala",
        "or Delta) with --packages io.delta:delta-spark_2.12:3.3.2 and --class dev.sparkrec.pipelines.Main.",
        "");
  }

  /**
   * The job's SparkSession: Spark's settings from spark-submit when present, local[*] otherwise, and
   * Delta Lake's extension and catalog (static settings, so they are set before the session starts).
   */
  static SparkSession session(String appName) {
    SparkConf conf = new SparkConf();
    if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    conf.setIfMissing("spark.app.name", appName);
    conf.setIfMissing("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    conf.setIfMissing("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    conf.setIfMissing("spark.sql.shuffle.partitions", String.valueOf(
        Math.max(4, Runtime.getRuntime().availableProcessors() * 2)));
    return SparkSession.builder().config(conf).getOrCreate();
  }

  static String fmt(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }
}
