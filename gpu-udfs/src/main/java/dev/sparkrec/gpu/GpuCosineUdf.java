package dev.sparkrec.gpu;

import ai.rapids.cudf.ColumnVector;
import com.nvidia.spark.RapidsUDF;
import dev.sparkrec.ml.ArrayFunctions;

/**
 * {@link CosineUdf} with the RAPIDS columnar path: the per-row sums {@code Σ ab}, {@code Σ a²}, {@code Σ b²} in
 * FLOAT64 by segmented reductions, then {@code Σ ab / (√Σa² · √Σb²)} (NaN for an all-zero or empty row, as on the
 * CPU), rounded to FLOAT32.
 */
public class GpuCosineUdf extends CosineUdf implements RapidsUDF {

  private static final long serialVersionUID = 1L;

  @Override
  public ColumnVector evaluateColumnar(int numRows, ColumnVector... args) {
    GpuColumns.checkArguments(ArrayFunctions.COSINE, numRows, 2, args);
    if (numRows == 0) {
      return GpuColumns.emptyFloats();
    }
    try (FloatListColumns lists = FloatListColumns.align(ArrayFunctions.COSINE, args[0], args[1]);
        ColumnVector ab = lists.elements(0).mul(lists.elements(1));
        ColumnVector aa = lists.elements(0).mul(lists.elements(0));
        ColumnVector bb = lists.elements(1).mul(lists.elements(1));
        ColumnVector dots = lists.rowSums(ab);
        ColumnVector aSquares = lists.rowSums(aa);
        ColumnVector bSquares = lists.rowSums(bb);
        ColumnVector aNorms = aSquares.sqrt();
        ColumnVector bNorms = bSquares.sqrt();
        ColumnVector normProducts = aNorms.mul(bNorms);
        ColumnVector cosines = dots.div(normProducts)) {
      return GpuColumns.toFloat(cosines);
    }
  }
}
