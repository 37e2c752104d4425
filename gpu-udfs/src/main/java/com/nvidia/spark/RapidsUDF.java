package com.nvidia.spark;

import ai.rapids.cudf.ColumnVector;

/**
 * Compile-only copy of the RAPIDS Accelerator's {@code com.nvidia.spark.RapidsUDF} (rapids-4-spark 25.04,
 * {@code sql-plugin-api}), so that SparkRec's GPU UDFs compile without the plugin jar, whose POM Maven cannot
 * resolve. The build leaves this class out of the gpu-udfs jar: on a RAPIDS cluster the real interface comes from
 * the plugin jar, and elsewhere SparkRec never loads a class that implements it.
 */
public interface RapidsUDF {

  /** The plugin's older entry point; SparkRec's UDFs implement the one with {@code numRows}. */
  @Deprecated
  default ColumnVector evaluateColumnar(ColumnVector... args) {
    throw new UnsupportedOperationException("Must override evaluateColumnar(int numRows, ColumnVector... args)");
  }

  /**
   * Evaluates the UDF on a batch of {@code numRows} rows held on the GPU: one column per argument (scalar arguments
   * arrive expanded to full columns). The inputs are not closed by the UDF; the result has {@code numRows} rows and
   * the cuDF type of the UDF's Spark return type.
   */
  default ColumnVector evaluateColumnar(int numRows, ColumnVector... args) {
    return evaluateColumnar(args);
  }
}
