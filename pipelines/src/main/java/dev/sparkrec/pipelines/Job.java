package dev.sparkrec.pipelines;

import java.io.PrintStream;
import picocli.CommandLine.Option;

/** One subcommand of {@link Main}, its options already parsed into its fields. */
interface Job {

  /** Runs the job, printing what it did to {@code out}; returns the process exit status. */
  int run(PrintStream out);

  /** {@code -h}/{@code --help}: the options of the root command. */
  class HelpOption {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this command's options and exit.")
    boolean help;
  }

  /** {@code --job FILE.yaml} (read by {@link JobFile} before parsing) and {@code --help}, mixed into every command. */
  final class StandardOptions extends HelpOption {
    @Option(names = JobFile.OPTION, paramLabel = "FILE.yaml", order = 1000,
        description = "Read this command's options from a YAML file: keys are the option names without the dashes "
            + "(categorical: [C0, C1]; overwrite: true; params: {embeddingDim: 8}). The command line wins.")
    String file;
  }
}
