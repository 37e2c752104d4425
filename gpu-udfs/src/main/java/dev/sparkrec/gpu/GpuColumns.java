package dev.sparkrec.gpu;

import ai.rapids.cudf.ColumnVector;
import ai.rapids.cudf.ColumnView;
import ai.rapids.cudf.DType;

/** Small checks and results shared by the GPU twins' {@code evaluateColumnar}. */
final class GpuColumns {

  private GpuColumns() {}

  /** Fails unless the plugin passed {@code expected} argument columns of {@code numRows} rows each. */
  static void checkArguments(String function, int numRows, int expected, ColumnView... args) {
    if (args.length != expected) {
      throw new IllegalArgumentException(function + " takes " + expected + " arguments; got " + args.length);
    }
    for (int k = 0; k < args.length; k++) {
      if (args[k].getRowCount() != numRows) {
        throw new IllegalArgumentException(function + ": argument " + (k + 1) + " has " + args[k].getRowCount()
            + " rows in a batch of " + numRows);
      }
    }
  }

  /** Fails unless {@code column} is FLOAT32 (a Spark float). */
  static void checkFloat(String function, ColumnView column, int argument) {
    if (!DType.FLOAT32.equals(column.getType())) {
      throw new IllegalArgumentException(function + ": argument " + argument + " must be a float; got a GPU column of"
          + " type " + column.getType());
    }
  }

  /** An empty FLOAT32 column, the result for an empty batch. */
  static ColumnVector emptyFloats() {
    return ColumnVector.fromFloats();
  }

  /** {@code values} (FLOAT64) rounded to FLOAT32, the cuDF type of a Spark float result. */
  static ColumnVector toFloat(ColumnView values) {
    return values.castTo(DType.FLOAT32);
  }
}
