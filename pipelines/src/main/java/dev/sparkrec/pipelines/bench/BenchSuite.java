package dev.sparkrec.pipelines.bench;

/** One benchmark suite of {@code bin/sparkrec bench SUITE}: it measures its systems into a report. */
public interface BenchSuite {

  /** The suite's name on the command line, e.g. {@code blas}. */
  String name();

  /** One line for {@code bin/sparkrec --help}. */
  String description();

  /** Whether the suite reads real datasets from {@code --data DIR}. */
  default boolean needsData() {
    return false;
  }

  /**
   * Whether the suite has a sweep ({@code --sweep}): the search that chose the configuration its comparison
   * uses, rerun and reported one row per candidate.
   */
  default boolean hasSweep() {
    return false;
  }

  /** Runs every system of the suite, each through {@link BenchReport#measure}. */
  void run(BenchContext context, BenchReport report);
}
