package dev.sparkrec.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The columns of a training DataFrame: feature ids ({@code array<int>}, the same number per row), optional
 * feature values ({@code array<float>} or {@code array<double>}, one per id), the label (double, float, int
 * or long; 0 or 1, or any finite number for {@linkplain #withRealValuedLabels() real-valued labels} such as
 * ratings), an optional example weight (numeric, finite, >= 0) and an optional {@linkplain #withSequenceCol
 * sequence} ({@code array<int>} of non-negative ids, any length, possibly empty: a behaviour history). Immutable.
 */
public final class ExampleColumns implements Serializable {

  private static final long serialVersionUID = 1L;

  /** FieldEncoder's output columns: {@code featureIds}, {@code featureValues}, {@code label}, no weight. */
  public static final ExampleColumns DEFAULT = new ExampleColumns("featureIds", "featureValues", "label", null);

  private final String featureIdsCol;
  private final String featureValuesCol;
  private final String labelCol;
  private final String weightCol;
  private final boolean realValuedLabels;
  private final String sequenceCol;

  /**
   * Columns by name, with binary (0/1) labels; {@code featureValuesCol} null means every value is 1 and
   * {@code weightCol} null means every weight is 1.
   */
  public ExampleColumns(String featureIdsCol, String featureValuesCol, String labelCol, String weightCol) {
    this(featureIdsCol, featureValuesCol, labelCol, weightCol, false, null);
  }

  private ExampleColumns(String featureIdsCol, String featureValuesCol, String labelCol, String weightCol,
      boolean realValuedLabels, String sequenceCol) {
    if (featureIdsCol == null || featureIdsCol.isEmpty() || labelCol == null || labelCol.isEmpty()) {
      throw new IllegalArgumentException("the feature ids column and the label column must be named, got '"
          + featureIdsCol + "' and '" + labelCol + "'");
    }
    this.featureIdsCol = featureIdsCol;
    this.featureValuesCol = emptyToNull(featureValuesCol);
    this.labelCol = labelCol;
    this.weightCol = emptyToNull(weightCol);
    this.realValuedLabels = realValuedLabels;
    this.sequenceCol = emptyToNull(sequenceCol);
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  public String featureIdsCol() {
    return featureIdsCol;
  }

  /** The feature values column, or null. */
  public String featureValuesCol() {
    return featureValuesCol;
  }

  public String labelCol() {
    return labelCol;
  }

  /** The weight column, or null. */
  public String weightCol() {
    return weightCol;
  }

  /** True when labels must be 0 or 1 (the default); false for real-valued labels. */
  public boolean binaryLabels() {
    return !realValuedLabels;
  }

  /** A copy with another values column (null for none). */
  public ExampleColumns withFeatureValuesCol(String value) {
    return new ExampleColumns(featureIdsCol, value, labelCol, weightCol, realValuedLabels, sequenceCol);
  }

  /** A copy with another weight column (null for none). */
  public ExampleColumns withWeightCol(String value) {
    return new ExampleColumns(featureIdsCol, featureValuesCol, labelCol, value, realValuedLabels, sequenceCol);
  }

  /**
   * A copy whose labels may be any finite number (a regression target such as a rating); the trainer then
   * needs {@code validationMetric} "rmse".
   */
  public ExampleColumns withRealValuedLabels() {
    return new ExampleColumns(featureIdsCol, featureValuesCol, labelCol, weightCol, true, sequenceCol);
  }

  /** A copy whose labels must be 0 or 1, the default. */
  public ExampleColumns withBinaryLabels() {
    return new ExampleColumns(featureIdsCol, featureValuesCol, labelCol, weightCol, false, sequenceCol);
  }

  /** The sequence column, or null. */
  public String sequenceCol() {
    return sequenceCol;
  }

  /**
   * A copy with a sequence column (null for none): {@code array<int>} of non-negative ids per example, any length,
   * possibly empty, never null.
   */
  public ExampleColumns withSequenceCol(String value) {
    return new ExampleColumns(featureIdsCol, featureValuesCol, labelCol, weightCol, realValuedLabels, value);
  }

  /** The columns in block-building order: ids, [values], label, [weight], [sequence]. */
  List<String> selected() {
    List<String> cols = new ArrayList<>();
    cols.add(featureIdsCol);
    if (featureValuesCol != null) {
      cols.add(featureValuesCol);
    }
    cols.add(labelCol);
    if (weightCol != null) {
      cols.add(weightCol);
    }
    if (sequenceCol != null) {
      cols.add(sequenceCol);
    }
    return cols;
  }

  @Override
  public String toString() {
    return "ExampleColumns(ids=" + featureIdsCol + ", values=" + featureValuesCol + ", label=" + labelCol
        + ", weight=" + weightCol + ", sequence=" + sequenceCol + ", labels=" + (realValuedLabels ? "real" : "binary")
        + ")";
  }
}
