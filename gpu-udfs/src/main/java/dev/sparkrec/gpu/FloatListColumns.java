package dev.sparkrec.gpu;

import ai.rapids.cudf.BinaryOp;
import ai.rapids.cudf.ColumnVector;
import ai.rapids.cudf.ColumnView;
import ai.rapids.cudf.DType;
import ai.rapids.cudf.HostColumnVector;
import ai.rapids.cudf.NullPolicy;
import ai.rapids.cudf.Scalar;
import ai.rapids.cudf.SegmentedReductionAggregation;
import java.util.ArrayList;
import java.util.List;

/**
 * Several {@code LIST<FLOAT32>} columns of one batch on the GPU, laid out so that element-wise arithmetic lines up:
 * the flat element data of each, as FLOAT64 columns of equal length, and one INT32 offsets column (rows + 1 entries,
 * from 0) that cuts the elements into rows. Used by the GPU twins' {@code evaluateColumnar}.
 *
 * <p>Checks: every input is a list of FLOAT32 (else an error naming the function and the type), and every row where
 * all inputs are valid has equal lengths (else an error with the first such row and its lengths). A row where any
 * input is null is null in every aligned column and has no elements ({@link ColumnView#mergeAndSetValidity} sanitises
 * nested nulls), so the offsets agree across inputs; inputs whose offsets do not start at 0 are cut to their rows'
 * elements. The inputs are never closed here; everything this class creates is closed by {@link #close}.
 */
final class FloatListColumns implements AutoCloseable {

  private final List<AutoCloseable> owned = new ArrayList<>();
  private final ColumnVector[] elements;
  private final ColumnView offsets;
  private final ColumnView firstList;

  private FloatListColumns(String function, ColumnView[] lists) {
    boolean ok = false;
    try {
      for (int k = 0; k < lists.length; k++) {
        checkType(function, lists[k], k + 1);
      }
      for (int k = 1; k < lists.length; k++) {
        checkLengths(function, lists[0], lists[k], k + 1);
      }
      ColumnView[] aligned = lists;
      boolean anyNull = false;
      for (ColumnView list : lists) {
        anyNull |= list.getNullCount() > 0;
      }
      if (anyNull) { // null wherever any input is null, with no elements under a null row
        aligned = new ColumnView[lists.length];
        for (int k = 0; k < lists.length; k++) {
          aligned[k] = own(lists[k].mergeAndSetValidity(BinaryOp.BITWISE_AND, lists));
        }
      }
      firstList = aligned[0];
      int rows = Math.toIntExact(firstList.getRowCount());
      elements = new ColumnVector[lists.length];
      ColumnView firstOffsets = null;
      int firstBase = 0;
      for (int k = 0; k < aligned.length; k++) {
        ColumnView listOffsets = own(aligned[k].getListOffsetsView());
        int base = intAt(listOffsets, 0);
        int end = intAt(listOffsets, rows);
        ColumnView child = own(aligned[k].getChildColumnView(0));
        if (base != 0 || end != child.getRowCount()) { // a sliced column: keep only its rows' elements
          child = own(child.slice(base, end)[0]);
        }
        elements[k] = own(child.castTo(DType.FLOAT64));
        if (k == 0) {
          firstOffsets = listOffsets;
          firstBase = base;
        }
      }
      if (firstBase == 0) {
        offsets = firstOffsets;
      } else {
        Scalar base = own(Scalar.fromInt(firstBase));
        offsets = own(firstOffsets.sub(base, DType.INT32));
      }
      ok = true;
    } finally {
      if (!ok) {
        close();
      }
    }
  }

  /** Aligns {@code lists} (each {@code LIST<FLOAT32>}, the same number of rows) for {@code function}. */
  static FloatListColumns align(String function, ColumnView... lists) {
    return new FloatListColumns(function, lists);
  }

  /** The flat elements of input {@code k} as FLOAT64, aligned across inputs. */
  ColumnVector elements(int k) {
    return elements[k];
  }

  /**
   * The per-row sums of {@code perElement} (FLOAT64, one value per aligned element): 0 for a row with no elements,
   * null for a null row or a row with a null element. The caller closes the result.
   */
  ColumnVector rowSums(ColumnView perElement) {
    try (ColumnVector sums = perElement.segmentedReduce(offsets, SegmentedReductionAggregation.sum(),
            NullPolicy.INCLUDE, DType.FLOAT64);
        ColumnVector counts = firstList.countElements();
        Scalar zeroCount = Scalar.fromInt(0);
        ColumnVector empty = counts.equalTo(zeroCount);
        Scalar zero = Scalar.fromDouble(0.0)) {
      return empty.ifElse(zero, sums); // a null predicate (null row) selects sums, which is null there
    }
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing a GPU column failed", e);
        }
      }
    }
    owned.clear();
    if (failure != null) {
      throw failure;
    }
  }

  private <T extends AutoCloseable> T own(T resource) {
    owned.add(resource);
    return resource;
  }

  private static int intAt(ColumnView column, int row) {
    try (Scalar value = column.getScalarElement(row)) {
      return value.getInt();
    }
  }

  private static void checkType(String function, ColumnView list, int argument) {
    DType child = null;
    if (list.getType().equals(DType.LIST)) {
      try (ColumnView data = list.getChildColumnView(0)) {
        child = data.getType();
      }
    }
    if (!DType.FLOAT32.equals(child)) {
      throw new IllegalArgumentException(function + " takes array<float> arguments; argument " + argument
          + " is a GPU column of type " + list.getType() + (child == null ? "" : "<" + child + ">")
          + ": cast the column to array<float>");
    }
  }

  private static void checkLengths(String function, ColumnView first, ColumnView other, int argument) {
    try (ColumnVector firstLengths = first.countElements();
        ColumnVector otherLengths = other.countElements();
        ColumnVector differ = firstLengths.notEqualTo(otherLengths);
        Scalar any = differ.any()) {
      if (!any.isValid() || !any.getBoolean()) {
        return; // no row where both are valid and the lengths differ
      }
      try (HostColumnVector flags = differ.copyToHost();
          HostColumnVector a = firstLengths.copyToHost();
          HostColumnVector b = otherLengths.copyToHost()) {
        for (long row = 0; row < flags.getRowCount(); row++) {
          if (!flags.isNull(row) && flags.getBoolean(row)) {
            throw new IllegalArgumentException(function + ": its array arguments must have the same length; row "
                + row + " has arrays of " + a.getInt(row) + " (argument 1) and " + b.getInt(row) + " (argument "
                + argument + ") elements");
          }
        }
      }
    }
  }
}
