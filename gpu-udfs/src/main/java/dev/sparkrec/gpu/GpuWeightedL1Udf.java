package dev.sparkrec.gpu;

import ai.rapids.cudf.ColumnVector;
import com.nvidia.spark.RapidsUDF;
import dev.sparkrec.ml.ArrayFunctions;

/**
 * {@link WeightedL1Udf} with the RAPIDS columnar path: {@code |a − b|} element-wise in FLOAT64, times the aligned
 * weights, summed per row by a segmented reduction, rounded to FLOAT32.
 */
public class GpuWeightedL1Udf extends WeightedL1Udf implements RapidsUDF {

  private static final long serialVersionUID = 1L;

  @Override
  public ColumnVector evaluateColumnar(int numRows, ColumnVector... args) {
    GpuColumns.checkArguments(ArrayFunctions.WEIGHTED_L1, numRows, 3, args);
    if (numRows == 0) {
      return GpuColumns.emptyFloats();
    }
    try (FloatListColumns lists = FloatListColumns.align(ArrayFunctions.WEIGHTED_L1, args[0], args[1], args[2]);
        ColumnVector differences = lists.elements(0).sub(lists.elements(1));
        ColumnVector distances = differences.abs();
        ColumnVector weighted = distances.mul(lists.elements(2));
        ColumnVector sums = lists.rowSums(weighted)) {
      return GpuColumns.toFloat(sums);
    }
  }
}
