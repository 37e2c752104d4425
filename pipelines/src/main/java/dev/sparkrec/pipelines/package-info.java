/** Batch jobs: the demo, benchmarks and sample-data generation. */
package dev.sparkrec.pipelines;
