package dev.sparkrec.gpu;

import ai.rapids.cudf.ColumnVector;
import com.nvidia.spark.RapidsUDF;
import dev.sparkrec.ml.ArrayFunctions;

/**
 * {@link DotUdf} with the RAPIDS columnar path: the aligned elements (FLOAT64) are multiplied element-wise and summed
 * per row by a segmented reduction, then rounded to FLOAT32. Loaded only where the RAPIDS plugin jar is present.
 */
public class GpuDotUdf extends DotUdf implements RapidsUDF {

  private static final long serialVersionUID = 1L;

  @Override
  public ColumnVector evaluateColumnar(int numRows, ColumnVector... args) {
    GpuColumns.checkArguments(ArrayFunctions.DOT, numRows, 2, args);
    if (numRows == 0) {
      return GpuColumns.emptyFloats();
    }
    try (FloatListColumns lists = FloatListColumns.align(ArrayFunctions.DOT, args[0], args[1]);
        ColumnVector products = lists.elements(0).mul(lists.elements(1));
        ColumnVector dots = lists.rowSums(products)) {
      return GpuColumns.toFloat(dots);
    }
  }
}
