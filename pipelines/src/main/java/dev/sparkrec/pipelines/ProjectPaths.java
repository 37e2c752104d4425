package dev.sparkrec.pipelines;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where the jobs find things when run from a SparkRec checkout: {@code bin/sparkrec} sets
 * {@code -Dsparkrec.home} to the checkout; without it the working directory is used.
 */
final class ProjectPaths {

  private ProjectPaths() {}

  /** The SparkRec checkout (or the working directory). */
  static Path home() {
    String home = System.getProperty("sparkrec.home");
    return (home != null ? Paths.get(home) : Paths.get("")).toAbsolutePath().normalize();
  }

  /** {@code --data DIR}, else {@code SPARKREC_DATA}, else {@code ../shared/data} beside the checkout when it exists, else null. */
  static Path dataDir(String option) {
    if (option != null) {
      Path dir = Paths.get(option).toAbsolutePath().normalize();
      if (!Files.isDirectory(dir)) {
        throw new UsageException("--data " + option + " is not a folder.");
      }
      return dir;
    }
    String env = System.getenv("SPARKREC_DATA");
    if (env != null && !env.isEmpty()) {
      return dataDir(env);
    }
    Path shared = home().resolve("../shared/data").normalize();
    return Files.isDirectory(shared) ? shared : null;
  }

  /** The generated samples shipped in the checkout. */
  static Path sampleData() {
    return home().resolve("sample-data");
  }

  /** A path from the command line, resolved against the working directory. */
  static Path resolve(String path) {
    return Paths.get(path).toAbsolutePath().normalize();
  }
}
