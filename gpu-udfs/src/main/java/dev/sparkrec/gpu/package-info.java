/**
 * SparkRec's SQL functions over {@code array<float>} columns ({@link dev.sparkrec.gpu.SparkRecFunctions}): a CPU class
 * for each and a GPU twin implementing the RAPIDS {@code RapidsUDF} columnar path, chosen at registration through
 * {@link java.util.ServiceLoader} ({@link dev.sparkrec.gpu.UdfSet}); and {@link dev.sparkrec.gpu.GpuCheck}, the job
 * of {@code scripts/gpu-check.sh}.
 */
package dev.sparkrec.gpu;
