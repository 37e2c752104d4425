package dev.sparkrec.features;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.sketch.BloomFilter;

/**
 * The fitted state of one field: its block of global ids and how a raw value picks one.
 *
 * <p>The field owns ids {@code [offset, offset + size)}. Local index 0 (global id {@code offset}) is the
 * field's OOV id; the other local indices are, for a categorical field, the kept values in descending
 * count then ascending value order; for a bucketized field, the buckets in split order; for a value field,
 * the one id that carries the scaled value.
 */
final class FieldVocabulary implements Serializable {

  private static final long serialVersionUID = 1L;

  /** {@link #localIndex} result for null or NaN. */
  static final int MISSING = -1;
  /** {@link #localIndex} result for a categorical value neither in the vocabulary nor seen at fit. */
  static final int UNSEEN = -2;
  /** Local index of the OOV id. */
  static final int OOV = 0;

  final String name;
  final FieldEncoding encoding;
  final int offset;
  /** Categorical only: {@code values[i - 1]} is the value of local index {@code i}; empty otherwise. */
  final String[] values;
  /** Training count per local index; {@code counts[OOV]} counts the rows mapped to OOV at fit. */
  final long[] counts;
  /** Bucketized only: strictly increasing splits from -Infinity to +Infinity; empty otherwise. */
  final double[] splits;
  /** Value only: the finite minimum and maximum seen at fit. */
  final double min;
  final double max;
  /** Categorical only: values seen at fit but left out of the vocabulary; null when there were none. */
  final BloomFilter excludedValues;

  /** Value to local index, rebuilt from {@link #values} after deserialization (so it is shipped once). */
  private transient Map<String, Integer> index;

  private FieldVocabulary(String name, FieldEncoding encoding, int offset, String[] values, long[] counts,
      double[] splits, double min, double max, BloomFilter excludedValues) {
    this.name = name;
    this.encoding = encoding;
    this.offset = offset;
    this.values = values;
    this.counts = counts;
    this.splits = splits;
    this.min = min;
    this.max = max;
    this.excludedValues = excludedValues;
    int expectedSize = encoding == FieldEncoding.CATEGORICAL ? values.length + 1
        : encoding == FieldEncoding.BUCKETIZED ? splits.length : 2;
    if (counts.length != expectedSize) {
      throw new IllegalArgumentException("Field '" + name + "': " + counts.length + " counts for "
          + expectedSize + " ids.");
    }
    this.index = buildIndex(values);
  }

  /** A categorical field; {@code counts} has {@code values.length + 1} entries, OOV first. */
  static FieldVocabulary categorical(String name, int offset, String[] values, long[] counts,
      BloomFilter excludedValues) {
    return new FieldVocabulary(name, FieldEncoding.CATEGORICAL, offset, values, counts, new double[0],
        Double.NaN, Double.NaN, excludedValues);
  }

  /** A bucketized field; {@code counts} has {@code splits.length} entries (OOV, then one per bucket). */
  static FieldVocabulary bucketized(String name, int offset, double[] splits, long[] counts) {
    return new FieldVocabulary(name, FieldEncoding.BUCKETIZED, offset, new String[0], counts, splits,
        Double.NaN, Double.NaN, null);
  }

  /** A value field; {@code counts} has 2 entries (OOV, value id). */
  static FieldVocabulary value(String name, int offset, double min, double max, long[] counts) {
    return new FieldVocabulary(name, FieldEncoding.VALUE, offset, new String[0], counts, new double[0], min,
        max, null);
  }

  /** Number of ids the field owns, its OOV id included. */
  int size() {
    return counts.length;
  }

  /** What is wrong with {@code raw}, whose {@link #localIndex} is the negative {@code local}, for an error. */
  static String describeInvalid(Object raw, int local) {
    return local == MISSING ? "a missing value (" + (raw == null ? "null" : "NaN") + ")"
        : "unseen value \"" + raw + "\" (not seen when the encoder was fitted)";
  }

  /**
   * The local index of {@code raw} (a String, Integer, Long or Boolean for a categorical field, a Float or
   * Double otherwise): in {@code [0, size)}, or {@link #MISSING} for null/NaN, or {@link #UNSEEN} for a
   * categorical value not seen at fit. Values seen at fit but left out of the vocabulary give {@link #OOV}.
   */
  int localIndex(Object raw) {
    if (raw == null) {
      return MISSING;
    }
    if (encoding == FieldEncoding.CATEGORICAL) {
      String key = raw.toString();
      Integer local = index.get(key);
      if (local != null) {
        return local;
      }
      return excludedValues != null && excludedValues.mightContainString(key) ? OOV : UNSEEN;
    }
    double x = ((Number) raw).doubleValue();
    if (Double.isNaN(x)) {
      return MISSING;
    }
    return encoding == FieldEncoding.BUCKETIZED ? 1 + bucketOf(splits, x) : 1;
  }

  /** The feature value for {@code raw} at {@code localIndex}: the scaled value on a value id, else 1.0. */
  float featureValue(Object raw, int localIndex) {
    if (encoding == FieldEncoding.VALUE && localIndex == 1) {
      return (float) minMaxScale(((Number) raw).doubleValue(), min, max);
    }
    return 1.0f;
  }

  /**
   * The bucket of {@code x} under {@code splits} (Spark's Bucketizer rule): bucket {@code b} holds
   * {@code [splits[b], splits[b + 1])}, the last bucket also holds {@code +Infinity}.
   */
  static int bucketOf(double[] splits, double x) {
    double key = x == 0.0 ? 0.0 : x; // -0.0 == 0.0, but binarySearch orders -0.0 below 0.0
    int found = Arrays.binarySearch(splits, key);
    if (found >= 0) {
      return Math.min(found, splits.length - 2);
    }
    return -found - 2; // insertion point - 1
  }

  /**
   * Min-max scaling clipped to [0, 1]: {@code (x - min) / (max - min)}; when {@code max == min} a value at or
   * above the bound gives 1 and one below gives 0.
   */
  static double minMaxScale(double x, double min, double max) {
    if (max > min) {
      double scaled = (x - min) / (max - min); // x' = (x - min) / (max - min)
      return Math.max(0.0, Math.min(1.0, scaled));
    }
    return x >= max ? 1.0 : 0.0;
  }

  /** Rows (value, id, count) for every id of the field, in id order; the OOV row has a null value. */
  List<Row> entries() {
    List<Row> rows = new ArrayList<>(size());
    rows.add(RowFactory.create(null, offset, counts[OOV]));
    for (int local = 1; local < size(); local++) {
      rows.add(RowFactory.create(label(local), offset + local, counts[local]));
    }
    return rows;
  }

  /** The value a non-OOV local index stands for: the category, the bucket interval or the value range. */
  String label(int local) {
    switch (encoding) {
      case CATEGORICAL:
        return values[local - 1];
      case BUCKETIZED:
        return "[" + splits[local - 1] + ", " + splits[local] + ")";
      default:
        return "[" + min + ", " + max + "]";
    }
  }

  private static Map<String, Integer> buildIndex(String[] values) {
    Map<String, Integer> index = new HashMap<>(Math.max(16, (int) (values.length / 0.75f) + 1));
    for (int i = 0; i < values.length; i++) {
      index.put(values[i], i + 1);
    }
    return index;
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    index = buildIndex(values);
  }
}
