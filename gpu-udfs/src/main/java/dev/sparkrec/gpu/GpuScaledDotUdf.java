package dev.sparkrec.gpu;

import ai.rapids.cudf.ColumnVector;
import ai.rapids.cudf.DType;
import com.nvidia.spark.RapidsUDF;
import dev.sparkrec.ml.ArrayFunctions;

/**
 * {@link ScaledDotUdf} with the RAPIDS columnar path: the per-row dot product as in {@link GpuDotUdf}, times the scale
 * column in FLOAT64 (a null scale gives null), rounded to FLOAT32.
 */
public class GpuScaledDotUdf extends ScaledDotUdf implements RapidsUDF {

  private static final long serialVersionUID = 1L;

  @Override
  public ColumnVector evaluateColumnar(int numRows, ColumnVector... args) {
    GpuColumns.checkArguments(ArrayFunctions.SCALED_DOT, numRows, 3, args);
    GpuColumns.checkFloat(ArrayFunctions.SCALED_DOT, args[2], 3);
    if (numRows == 0) {
      return GpuColumns.emptyFloats();
    }
    try (FloatListColumns lists = FloatListColumns.align(ArrayFunctions.SCALED_DOT, args[0], args[1]);
        ColumnVector products = lists.elements(0).mul(lists.elements(1));
        ColumnVector dots = lists.rowSums(products);
        ColumnVector scales = args[2].castTo(DType.FLOAT64);
        ColumnVector scaled = scales.mul(dots)) {
      return GpuColumns.toFloat(scaled);
    }
  }
}
