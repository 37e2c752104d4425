package dev.sparkrec.features;

import java.util.Optional;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;

/**
 * The description of a field encoding that {@link FieldEncoderModel} attaches to its feature-ids
 * column, so later stages ({@link FeatureIdsToVector}, SparkRec's models) learn the id space without
 * being told: metadata key {@code sparkrec_encoding} holding {@code numFeatures}, {@code fieldNames}
 * and {@code fieldOffsets}.
 */
public final class FieldEncodingMetadata {

  /** The metadata key on the feature-ids column. */
  public static final String KEY = "sparkrec_encoding";

  private final int numFeatures;
  private final String[] fieldNames;
  private final long[] fieldOffsets;

  public FieldEncodingMetadata(int numFeatures, String[] fieldNames, int[] fieldOffsets) {
    this.numFeatures = numFeatures;
    this.fieldNames = fieldNames.clone();
    this.fieldOffsets = new long[fieldOffsets.length];
    for (int i = 0; i < fieldOffsets.length; i++) {
      this.fieldOffsets[i] = fieldOffsets[i];
    }
  }

  /** Total number of feature ids: ids lie in {@code [0, numFeatures)}. */
  public int numFeatures() {
    return numFeatures;
  }

  /** The encoded fields, in the order of the ids in each row. */
  public String[] fieldNames() {
    return fieldNames.clone();
  }

  /** The first id of each field (its out-of-vocabulary id). */
  public int[] fieldOffsets() {
    int[] out = new int[fieldOffsets.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) fieldOffsets[i];
    }
    return out;
  }

  /** Column metadata holding this description, merged over {@code existing}. */
  public Metadata toMetadata(Metadata existing) {
    Metadata encoding = new MetadataBuilder()
        .putLong("numFeatures", numFeatures)
        .putStringArray("fieldNames", fieldNames)
        .putLongArray("fieldOffsets", fieldOffsets)
        .build();
    return new MetadataBuilder().withMetadata(existing).putMetadata(KEY, encoding).build();
  }

  /** The description on {@code column}, if a {@link FieldEncoderModel} wrote it. */
  public static Optional<FieldEncodingMetadata> of(StructField column) {
    if (!column.metadata().contains(KEY)) {
      return Optional.empty();
    }
    Metadata m = column.metadata().getMetadata(KEY);
    long[] offsets = m.getLongArray("fieldOffsets");
    int[] ints = new int[offsets.length];
    for (int i = 0; i < ints.length; i++) {
      ints[i] = (int) offsets[i];
    }
    return Optional.of(new FieldEncodingMetadata((int) m.getLong("numFeatures"), m.getStringArray("fieldNames"), ints));
  }
}
