package dev.sparkrec.features;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.sketch.BloomFilter;

/**
 * Saves and loads fitted fields as two Parquet tables beside a model's metadata.
 *
 * <ul>
 *   <li>{@code path/fields}: one row per field: {@code field} (int, position), {@code name}, {@code encoding}
 *       ("categorical", "bucketize", "value"), {@code offset}, {@code size}, {@code splits}
 *       (array&lt;double&gt;, bucketized only), {@code min} and {@code max} (double, value only) and
 *       {@code excludedValues} (binary Bloom filter of values left out of the vocabulary, categorical only).</li>
 *   <li>{@code path/vocabulary}: one row per id: {@code field}, {@code value} (string, null for the OOV id),
 *       {@code id}, {@code count} (long, training count).</li>
 * </ul>
 */
final class VocabularyParquet {

  static final StructType FIELDS_SCHEMA = new StructType()
      .add("field", DataTypes.IntegerType, false)
      .add("name", DataTypes.StringType, false)
      .add("encoding", DataTypes.StringType, false)
      .add("offset", DataTypes.IntegerType, false)
      .add("size", DataTypes.IntegerType, false)
      .add("splits", DataTypes.createArrayType(DataTypes.DoubleType, false), true)
      .add("min", DataTypes.DoubleType, true)
      .add("max", DataTypes.DoubleType, true)
      .add("excludedValues", DataTypes.BinaryType, true);

  static final StructType VOCABULARY_SCHEMA = new StructType()
      .add("field", DataTypes.IntegerType, false)
      .add("value", DataTypes.StringType, true)
      .add("id", DataTypes.IntegerType, false)
      .add("count", DataTypes.LongType, false);

  private VocabularyParquet() {}

  static void save(FieldVocabulary[] fields, String path, SparkSession spark) {
    List<Row> fieldRows = new ArrayList<>();
    List<Row> vocabularyRows = new ArrayList<>();
    for (int f = 0; f < fields.length; f++) {
      FieldVocabulary field = fields[f];
      fieldRows.add(RowFactory.create(f, field.name, field.encoding.label(), field.offset, field.size(),
          field.encoding == FieldEncoding.BUCKETIZED ? field.splits : null,
          field.encoding == FieldEncoding.VALUE ? field.min : null,
          field.encoding == FieldEncoding.VALUE ? field.max : null,
          field.excludedValues == null ? null : toBytes(field.excludedValues)));
      for (Row entry : field.entries()) {
        vocabularyRows.add(RowFactory.create(f, entry.get(0), entry.get(1), entry.get(2)));
      }
    }
    spark.createDataFrame(fieldRows, FIELDS_SCHEMA).repartition(1).write().parquet(path + "/fields");
    spark.createDataFrame(vocabularyRows, VOCABULARY_SCHEMA).write().parquet(path + "/vocabulary");
  }

  static FieldVocabulary[] load(String path, SparkSession spark) {
    List<Row> fieldRows = new ArrayList<>(spark.read().parquet(path + "/fields").collectAsList());
    fieldRows.sort(Comparator.comparingInt(r -> r.getInt(r.fieldIndex("field"))));
    int n = fieldRows.size();
    long[][] counts = new long[n][];
    String[][] values = new String[n][];
    for (int f = 0; f < n; f++) {
      Row r = fieldRows.get(f);
      int size = r.getInt(r.fieldIndex("size"));
      counts[f] = new long[size];
      boolean categorical = FieldEncoding.fromLabel(r.getString(r.fieldIndex("encoding")))
          == FieldEncoding.CATEGORICAL;
      values[f] = new String[categorical ? size - 1 : 0];
    }
    for (Row r : spark.read().parquet(path + "/vocabulary").collectAsList()) {
      int f = r.getInt(r.fieldIndex("field"));
      int local = r.getInt(r.fieldIndex("id")) - fieldRows.get(f).getInt(fieldRows.get(f).fieldIndex("offset"));
      counts[f][local] = r.getLong(r.fieldIndex("count"));
      if (local > 0 && values[f].length > 0) {
        values[f][local - 1] = r.getString(r.fieldIndex("value"));
      }
    }
    FieldVocabulary[] fields = new FieldVocabulary[n];
    for (int f = 0; f < n; f++) {
      Row r = fieldRows.get(f);
      String name = r.getString(r.fieldIndex("name"));
      int offset = r.getInt(r.fieldIndex("offset"));
      switch (FieldEncoding.fromLabel(r.getString(r.fieldIndex("encoding")))) {
        case CATEGORICAL:
          int excludedAt = r.fieldIndex("excludedValues");
          BloomFilter excluded = r.isNullAt(excludedAt) ? null : fromBytes((byte[]) r.get(excludedAt));
          fields[f] = FieldVocabulary.categorical(name, offset, values[f], counts[f], excluded);
          break;
        case BUCKETIZED:
          List<Double> splits = r.getList(r.fieldIndex("splits"));
          fields[f] = FieldVocabulary.bucketized(name, offset,
              splits.stream().mapToDouble(Double::doubleValue).toArray(), counts[f]);
          break;
        default:
          fields[f] = FieldVocabulary.value(name, offset, r.getDouble(r.fieldIndex("min")),
              r.getDouble(r.fieldIndex("max")), counts[f]);
      }
    }
    return fields;
  }

  private static byte[] toBytes(BloomFilter filter) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      filter.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static BloomFilter fromBytes(byte[] bytes) {
    try {
      return BloomFilter.readFrom(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
