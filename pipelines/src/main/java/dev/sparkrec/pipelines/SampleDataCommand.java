package dev.sparkrec.pipelines;

import dev.sparkrec.data.SampleDataWriter;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bin/sparkrec generate-sample-data [--out DIR]}: regenerates the shipped samples, byte for byte. */
@Command(name = "generate-sample-data",
    description = "Regenerate the generated samples in sample-data/ (deterministic).")
final class SampleDataCommand implements Job {

  @Option(names = "--out", paramLabel = "DIR", description = "Where to write them; default: the project's sample-data.")
  String outDir;

  @Mixin
  StandardOptions standard;

  @Override
  public int run(PrintStream out) {
    Path dir = outDir != null ? ProjectPaths.resolve(outDir) : ProjectPaths.sampleData();
    SampleDataWriter.writeAll(Main.session("sparkrec generate-sample-data"), dir);
    out.println("sample data written to " + dir);
    return 0;
  }
}
