package dev.sparkrec.features;

/** How a {@link FieldEncoder} turns one field into a feature id and a feature value. */
public enum FieldEncoding {

  /** One id per distinct value kept in the vocabulary; feature value 1.0. */
  CATEGORICAL("categorical"),

  /** One id per quantile bucket of a float/double field; feature value 1.0. */
  BUCKETIZED("bucketize"),

  /** One id for the whole float/double field; feature value min-max scaled to [0, 1]. */
  VALUE("value");

  private final String label;

  FieldEncoding(String label) {
    this.label = label;
  }

  /** The name used in persisted model data ("categorical", "bucketize" or "value"). */
  public String label() {
    return label;
  }

  /** The encoding whose {@link #label()} is {@code label}. */
  public static FieldEncoding fromLabel(String label) {
    for (FieldEncoding encoding : values()) {
      if (encoding.label.equals(label)) {
        return encoding;
      }
    }
    throw new IllegalArgumentException("Unknown field encoding \"" + label + "\"; expected categorical, "
        + "bucketize or value.");
  }
}
