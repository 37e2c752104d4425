package dev.sparkrec.pipelines;

import dev.sparkrec.data.SampleDataWriter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/** {@code bin/sparkrec generate-sample-data [--out DIR]}: regenerates the shipped samples, byte for byte. */
final class SampleDataCommand {

  private SampleDataCommand() {}

  static int main(String[] args, PrintStream out) {
    CommandLine line = CommandLine.parse(args, Set.of("out"), Set.of());
    Path dir = line.option("out", null) != null ? ProjectPaths.resolve(line.option("out", null))
        : ProjectPaths.sampleData();
    SampleDataWriter.writeAll(Main.session("sparkrec generate-sample-data"), dir);
    out.println("sample data written to " + dir);
    return 0;
  }
}
