/**
 * Batch jobs: the demo, train, search-dims, predict, explain, recommend, warmup, benchmarks and sample-data generation.
 *
 * <p>{@link dev.sparkrec.pipelines.Main} is the command line: one picocli {@code @Command} class per job, each a
 * {@link dev.sparkrec.pipelines.Job}. Shared option groups are mixins ({@link dev.sparkrec.pipelines.InputOptions}, {@link dev.sparkrec.pipelines.ModelOptions},
 * {@link dev.sparkrec.pipelines.Job.StandardOptions}); {@link dev.sparkrec.pipelines.JobFile} turns a YAML job file
 * into options placed before the command line's. A usage mistake is a {@link dev.sparkrec.pipelines.UsageException}
 * (exit status 2), a failing job a {@link dev.sparkrec.pipelines.JobFailure} (one line, exit status 1).
 */
package dev.sparkrec.pipelines;
