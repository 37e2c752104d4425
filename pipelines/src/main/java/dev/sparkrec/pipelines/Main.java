package dev.sparkrec.pipelines;

import dev.sparkrec.pipelines.bench.BenchRunner;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Entry point of {@code bin/sparkrec} and of {@code spark-submit --class dev.sparkrec.pipelines.Main}.
 *
 * <p>Each subcommand is a {@link Job} whose options picocli parses; {@code COMMAND --help} lists them all, and
 * {@code --job FILE.yaml} ({@link JobFile}) reads them from a file. Exit status 0 on success, 1 when a job fails on
 * what it was given (one line naming the problem) or a benchmarked system fails, 2 on a usage error.
 */
@Command(name = "bin/sparkrec",
    customSynopsis = "bin/sparkrec [SPARK-SUBMIT OPTIONS] COMMAND [OPTIONS]",
    description = "SparkRec's batch jobs, on an embedded local Spark or through spark-submit on a cluster.",
    commandListHeading = "%nCommands:%n",
    subcommands = {DemoJob.class, TrainJob.class, SearchDimsJob.class, PredictJob.class, ExplainJob.class,
        RecommendJob.class, WarmupJob.class, BenchJob.class, SampleDataCommand.class, CommandLine.HelpCommand.class},
    footer = {"",
        "Run 'bin/sparkrec COMMAND --help' for a command's options. Options may also come from a YAML file:",
        "--job FILE.yaml, keys named like the options without the dashes; the command line wins over the file.",
        "",
        "Environment: SPARKREC_MASTER (default local[*]), SPARKREC_DRIVER_MEMORY (default 4g).",
        "",
        "bin/sparkrec [SPARK-SUBMIT OPTIONS] COMMAND ... passes --master, --conf, --packages, --repositories,",
        "--jars, --files, --deploy-mode, --executor-memory, --executor-cores, --num-executors,",
        "--total-executor-cores and --properties-file to spark-submit, e.g. --master spark://host:7077. On a",
        "cluster, spark-submit pipelines/target/pipelines-<version>-app.jar (SparkRec's modules, no Spark, Scala",
        "or Delta) with --packages io.delta:delta-spark_2.12:3.3.2 and --class dev.sparkrec.pipelines.Main."})
public final class Main {

  private static final int USAGE_WIDTH = 110;

  @Mixin
  private Job.HelpOption help;

  Main() {}

  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** Runs one subcommand and returns the process exit status. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cli = commandLine();
    Map<String, CommandLine> commands = cli.getSubcommands();
    if (args.length == 0 || Set.of("help", "--help", "-h").contains(args[0])) {
      if (args.length > 1 && commands.containsKey(args[1])) {
        commands.get(args[1]).usage(out);
      } else {
        cli.usage(out);
      }
      return 0;
    }
    String name = args[0];
    CommandLine command = commands.get(name);
    if (command == null) {
      err.println("sparkrec: Unknown command '" + name + "'; commands: "
          + String.join(", ", commands.keySet()) + ".");
      err.println("Run 'bin/sparkrec help' for what each does.");
      return 2;
    }
    try {
      String[] rest = JobFile.expand(command.getCommandSpec(), Arrays.copyOfRange(args, 1, args.length));
      String[] line = new String[rest.length + 1];
      line[0] = name;
      System.arraycopy(rest, 0, line, 1, rest.length);
      ParseResult parsed = cli.parseArgs(line).subcommand();
      if (parsed.isUsageHelpRequested()) {
        command.usage(out);
        return 0;
      }
      return ((Job) parsed.commandSpec().userObject()).run(out);
    } catch (ParameterException | UsageException e) {
      err.println("sparkrec " + name + ": " + e.getMessage());
      err.println("Run 'bin/sparkrec " + name + " --help' for its options.");
      return 2;
    } catch (JobFailure e) {
      err.println("sparkrec " + name + ": " + e.getMessage());
      return 1;
    }
  }

  /** The command line with every subcommand, fresh (picocli keeps the parsed values in the commands' fields). */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setUsageHelpWidth(USAGE_WIDTH);
    cli.getSubcommands().get("bench").getCommandSpec().usageMessage().footer(
        "", "Suites: " + String.join(", ", BenchRunner.suiteNames()) + ".");
    return cli;
  }

  /**
   * The job's SparkSession: Spark's settings from spark-submit when present, local[*] otherwise, and
   * Delta Lake's extension and catalog (static settings, so they are set before the session starts).
   */
  static SparkSession session(String appName) {
    return SparkSession.builder().config(withDefaults(new SparkConf(), appName,
        Runtime.getRuntime().availableProcessors())).getOrCreate();
  }

  /**
   * SparkRec's defaults under what spark-submit set: local[*], Delta's extension and catalog, {@code 2 × cores} (at
   * least 4) shuffle partitions and, on a local master, as many partitions for Delta's log replay
   * ({@code spark.databricks.delta.snapshotPartitions}, 50 by default, sized for clusters: on one machine its 50
   * tasks make every Delta write of a small table take about a second longer).
   */
  static SparkConf withDefaults(SparkConf conf, String appName, int cores) {
    if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    conf.setIfMissing("spark.app.name", appName);
    conf.setIfMissing("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    conf.setIfMissing("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    String partitions = String.valueOf(Math.max(4, cores * 2));
    conf.setIfMissing("spark.sql.shuffle.partitions", partitions);
    if (conf.get("spark.master").startsWith("local")) {
      conf.setIfMissing("spark.databricks.delta.snapshotPartitions", partitions);
    }
    return conf;
  }

  static String fmt(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }
}
