package dev.sparkrec.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The columns of a training DataFrame: feature ids ({@code array<int>}, the same number per row), optional
 * feature values ({@code array<float>} or {@code array<double>}, one per id), the label (double, float, int
 * or long; 0 or 1) and an optional example weight (numeric, finite, >= 0). Immutable.
 */
public final class ExampleColumns implements Serializable {

  private static final long serialVersionUID = 1L;

  /** FieldEncoder's output columns: {@code featureIds}, {@code featureValues}, {@code label}, no weight. */
  public static final ExampleColumns DEFAULT = new ExampleColumns("featureIds", "featureValues", "label", null);

  private final String featureIdsCol;
  private final String featureValuesCol;
  private final String labelCol;
  private final String weightCol;

  /**
   * Columns by name; {@code featureValuesCol} null means every value is 1 and {@code weightCol} null means
   * every weight is 1.
   */
  public ExampleColumns(String featureIdsCol, String featureValuesCol, String labelCol, String weightCol) {
    if (featureIdsCol == null || featureIdsCol.isEmpty() || labelCol == null || labelCol.isEmpty()) {
      throw new IllegalArgumentException("the feature ids column and the label column must be named, got '"
          + featureIdsCol + "' and '" + labelCol + "'");
    }
    this.featureIdsCol = featureIdsCol;
    this.featureValuesCol = emptyToNull(featureValuesCol);
    this.labelCol = labelCol;
    this.weightCol = emptyToNull(weightCol);
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

  /** A copy with another values column (null for none). */
  public ExampleColumns withFeatureValuesCol(String value) {
    return new ExampleColumns(featureIdsCol, value, labelCol, weightCol);
  }

  /** A copy with another weight column (null for none). */
  public ExampleColumns withWeightCol(String value) {
    return new ExampleColumns(featureIdsCol, featureValuesCol, labelCol, value);
  }

  /** The columns in block-building order: ids, [values], label, [weight]. */
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
    return cols;
  }

  @Override
  public String toString() {
    return "ExampleColumns(ids=" + featureIdsCol + ", values=" + featureValuesCol + ", label=" + labelCol
        + ", weight=" + weightCol + ")";
  }
}
