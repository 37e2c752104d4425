package dev.sparkrec.train;

import dev.sparkrec.ml.SchemaChecks;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Training or validation examples as a persisted RDD of {@link ExampleBlock}s, built once from a DataFrame
 * and scanned every epoch.
 *
 * <p>Building validates every row and fails, naming the column and an example value, on a null or wrongly
 * sized feature array, a negative id, a non-finite feature value, a null label or one other than 0 and 1
 * (with {@linkplain ExampleColumns#withRealValuedLabels() real-valued labels}: a null, NaN or infinite
 * label), a null, negative or non-finite weight, and a null sequence or a null or negative id in one. The blocks are persisted {@code MEMORY_AND_DISK} and
 * materialised at once (one job, which also counts the rows of each partition), so later scans read the
 * cache and never repeat a shuffle. Call {@link #unpersist()} when done.
 *
 * <p><b>Partitioning.</b> Built with a partition count and a seed, the rows are redistributed by content:
 * each row gets a 64-bit key, Spark's {@code xxhash64} of the seed and the columns read (ids, values, label,
 * weight); the partition is Spark's hash partitioning of that key, and each partition is sorted by the key
 * and then by the columns read, so rows that order ties hold the same values (the blocks store -0.0 as 0.0,
 * which Spark's ordering equates) and are interchangeable. Partition sizes and row order then depend only on
 * the rows and the seed, not on how the DataFrame was partitioned. Built without them, the partitioning is
 * the DataFrame's and the order of rows within a partition is kept.
 */
public final class ExampleData {

  private final SparkSession session;
  private final JavaRDD<ExampleBlock> blocks;
  private final int fields;
  private final boolean hasValues;
  private final boolean hasWeights;
  private final boolean realValuedLabels;
  private final boolean hasSequences;
  private final long[] partitionRows;

  private ExampleData(SparkSession session, JavaRDD<ExampleBlock> blocks, int fields, boolean hasValues,
      boolean hasWeights, boolean realValuedLabels, boolean hasSequences, long[] partitionRows) {
    this.session = session;
    this.blocks = blocks;
    this.fields = fields;
    this.hasValues = hasValues;
    this.hasWeights = hasWeights;
    this.realValuedLabels = realValuedLabels;
    this.hasSequences = hasSequences;
    this.partitionRows = partitionRows;
  }

  /**
   * Builds blocks of up to {@code blockSize} rows from {@code data}; the number of fields is that of the
   * first row with a non-null feature array.
   */
  public static ExampleData fromDataFrame(Dataset<Row> data, ExampleColumns columns, int blockSize) {
    return fromDataFrame(data, columns, blockSize, firstRowFields(data, columns));
  }

  /** The number of ids in the first row of {@code data} with a non-null feature array. */
  static int firstRowFields(Dataset<Row> data, ExampleColumns columns) {
    checkSchema(data.schema(), columns);
    List<Row> first = data.select(columns.featureIdsCol())
        .where(functions.col(columns.featureIdsCol()).isNotNull()).limit(1).collectAsList();
    if (first.isEmpty()) {
      throw new IllegalArgumentException("The training data has no rows with a non-null '"
          + columns.featureIdsCol() + "' column.");
    }
    return first.get(0).getList(0).size();
  }

  /** Builds blocks of up to {@code blockSize} rows from {@code data}, requiring {@code fields} ids per row. */
  public static ExampleData fromDataFrame(Dataset<Row> data, ExampleColumns columns, int blockSize, int fields) {
    checkArguments(data, columns, blockSize, fields);
    return build(data.select(readColumns(columns)), columns, blockSize, fields);
  }

  /**
   * Builds blocks of up to {@code blockSize} rows from {@code data}, requiring {@code fields} ids per row,
   * after redistributing the rows into {@code numPartitions} partitions by content and {@code seed} (see the
   * class comment), so that the blocks do not depend on the DataFrame's partitioning.
   */
  public static ExampleData fromDataFrame(Dataset<Row> data, ExampleColumns columns, int blockSize, int fields,
      int numPartitions, long seed) {
    if (numPartitions < 1) {
      throw new IllegalArgumentException("numPartitions must be >= 1, got " + numPartitions);
    }
    checkArguments(data, columns, blockSize, fields);
    Column[] read = readColumns(columns);
    String key = "row_key";
    while (columns.selected().contains(key)) {
      key = "_" + key;
    }
    Column[] withKey = Arrays.copyOf(read, read.length + 1);
    withKey[read.length] = functions.xxhash64(prepend(functions.lit(seed), read)).as(key);
    Dataset<Row> redistributed = data.select(withKey)
        .repartition(numPartitions, functions.col(key))
        .sortWithinPartitions(prepend(functions.col(key), read))
        .select(read);
    return build(redistributed, columns, blockSize, fields);
  }

  private static Column[] readColumns(ExampleColumns columns) {
    return columns.selected().stream().map(functions::col).toArray(Column[]::new);
  }

  private static Column[] prepend(Column first, Column[] rest) {
    Column[] out = new Column[rest.length + 1];
    out[0] = first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }

  private static void checkArguments(Dataset<Row> data, ExampleColumns columns, int blockSize, int fields) {
    if (blockSize < 1) {
      throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize);
    }
    if (fields < 1) {
      throw new IllegalArgumentException("Column '" + columns.featureIdsCol() + "' must hold at least one id per "
          + "row, but the first row has " + fields + ".");
    }
    checkSchema(data.schema(), columns);
  }

  /** Reads the rows of {@code selected} (the columns in {@link ExampleColumns#selected()} order) into blocks. */
  private static ExampleData build(Dataset<Row> selected, ExampleColumns columns, int blockSize, int fields) {
    JavaRDD<ExampleBlock> blocks = selected.javaRDD()
        .mapPartitions(new BuildBlocks(columns, fields, blockSize))
        .persist(StorageLevel.MEMORY_AND_DISK());
    List<Long> counts;
    try {
      counts = blocks.mapPartitionsWithIndex(new CountRows(), false).collect();
    } catch (Exception e) {
      blocks.unpersist(false);
      throw SparkErrors.withInvalidInputFirst(e);
    }
    long[] partitionRows = counts.stream().mapToLong(Long::longValue).toArray();
    if (Arrays.stream(partitionRows).sum() == 0) {
      blocks.unpersist(false);
      throw new IllegalArgumentException("The data has no rows.");
    }
    return new ExampleData(selected.sparkSession(), blocks, fields, columns.featureValuesCol() != null,
        columns.weightCol() != null, !columns.binaryLabels(), columns.sequenceCol() != null, partitionRows);
  }

  private static void checkSchema(StructType schema, ExampleColumns columns) {
    SchemaChecks.requireColumnType(schema, columns.featureIdsCol(),
        DataTypes.createArrayType(DataTypes.IntegerType));
    if (columns.featureValuesCol() != null) {
      SchemaChecks.requireColumnType(schema, columns.featureValuesCol(),
          DataTypes.createArrayType(DataTypes.FloatType), DataTypes.createArrayType(DataTypes.DoubleType));
    }
    DataType[] numeric = {DataTypes.DoubleType, DataTypes.FloatType, DataTypes.IntegerType, DataTypes.LongType};
    SchemaChecks.requireColumnType(schema, columns.labelCol(), numeric);
    if (columns.weightCol() != null) {
      SchemaChecks.requireColumnType(schema, columns.weightCol(), numeric);
    }
    if (columns.sequenceCol() != null) {
      SchemaChecks.requireColumnType(schema, columns.sequenceCol(), DataTypes.createArrayType(DataTypes.IntegerType));
    }
  }

  /** The session the data was built in. */
  public SparkSession session() {
    return session;
  }

  /** The persisted blocks, one RDD partition per partition of the data (see the class comment). */
  public JavaRDD<ExampleBlock> blocks() {
    return blocks;
  }

  /** Number of ids per row. */
  public int fields() {
    return fields;
  }

  public boolean hasValues() {
    return hasValues;
  }

  public boolean hasWeights() {
    return hasWeights;
  }

  /** Whether every row carries a sequence of ids (see {@link ExampleColumns#withSequenceCol}). */
  public boolean hasSequences() {
    return hasSequences;
  }

  /** True when the labels were read as real values (any finite number), false when they are 0/1. */
  public boolean realValuedLabels() {
    return realValuedLabels;
  }

  public int numPartitions() {
    return partitionRows.length;
  }

  /** Number of rows in each partition, in partition order. */
  public long[] partitionRows() {
    return partitionRows.clone();
  }

  /** Total number of rows. */
  public long rows() {
    return Arrays.stream(partitionRows).sum();
  }

  /** Releases the cached blocks. */
  public void unpersist() {
    blocks.unpersist(false);
  }

  /** Counts the rows of one partition. */
  private static final class CountRows implements Function2<Integer, Iterator<ExampleBlock>, Iterator<Long>> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<Long> call(Integer partition, Iterator<ExampleBlock> it) {
      long n = 0;
      while (it.hasNext()) {
        n += it.next().rows();
      }
      return List.of(n).iterator();
    }
  }

  /** Reads rows (ids, [values], label, [weight]) into blocks, validating each row. */
  private static final class BuildBlocks implements FlatMapFunction<Iterator<Row>, ExampleBlock> {
    private static final long serialVersionUID = 1L;

    private final ExampleColumns columns;
    private final int fields;
    private final int blockSize;

    BuildBlocks(ExampleColumns columns, int fields, int blockSize) {
      this.columns = columns;
      this.fields = fields;
      this.blockSize = blockSize;
    }

    @Override
    public Iterator<ExampleBlock> call(Iterator<Row> rows) {
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public ExampleBlock next() {
          if (!rows.hasNext()) {
            throw new NoSuchElementException();
          }
          return readBlock(rows);
        }
      };
    }

    private ExampleBlock readBlock(Iterator<Row> rows) {
      boolean hasValues = columns.featureValuesCol() != null;
      boolean hasWeights = columns.weightCol() != null;
      int[] ids = new int[blockSize * fields];
      float[] values = hasValues ? new float[blockSize * fields] : null;
      float[] labels = new float[blockSize];
      float[] weights = hasWeights ? new float[blockSize] : null;
      boolean hasSequences = columns.sequenceCol() != null;
      int[] sequenceOffsets = hasSequences ? new int[blockSize + 1] : null;
      int[] sequenceIds = hasSequences ? new int[16] : null;
      int n = 0;
      while (n < blockSize && rows.hasNext()) {
        Row row = rows.next();
        int c = 0;
        List<?> rowIds = readArray(row, c++, columns.featureIdsCol(), null);
        for (int f = 0; f < fields; f++) {
          Object id = rowIds.get(f);
          if (id == null || (Integer) id < 0) {
            throw invalid(columns.featureIdsCol(), "must hold non-negative ids, not null", "holds " + id
                + " in " + rowIds);
          }
          ids[n * fields + f] = (Integer) id;
        }
        if (hasValues) {
          List<?> rowValues = readArray(row, c++, columns.featureValuesCol(), rowIds);
          for (int f = 0; f < fields; f++) {
            Object v = rowValues.get(f);
            float value = v == null ? Float.NaN : ((Number) v).floatValue();
            if (!Float.isFinite(value)) {
              throw invalid(columns.featureValuesCol(), "must hold finite values",
                  "(featureIds " + rowIds + ") holds " + v + " in " + rowValues);
            }
            values[n * fields + f] = value + 0.0f; // -0.0 as 0.0, which the row order ties
          }
        }
        Object label = row.get(c++);
        double labelValue = label == null ? Double.NaN : ((Number) label).doubleValue();
        if (!columns.binaryLabels()) {
          if (!Double.isFinite(labelValue)) {
            throw invalid(columns.labelCol(), "must be a finite number", "(featureIds " + rowIds + ") has " + label);
          }
        } else if (labelValue != 0.0 && labelValue != 1.0) {
          throw invalid(columns.labelCol(), "must be 0 or 1", "(featureIds " + rowIds + ") has " + label);
        }
        labels[n] = (float) labelValue + 0.0f;
        if (hasWeights) {
          Object weight = row.get(c++);
          double w = weight == null ? Double.NaN : ((Number) weight).doubleValue();
          if (!(w >= 0) || Double.isInfinite(w)) {
            throw invalid(columns.weightCol(), "must be a finite number >= 0",
                "(featureIds " + rowIds + ") has " + weight);
          }
          weights[n] = (float) w + 0.0f;
        }
        if (hasSequences) {
          sequenceIds = readSequence(row, c, rowIds, sequenceOffsets, n, sequenceIds);
        }
        n++;
      }
      if (n < blockSize) {
        ids = Arrays.copyOf(ids, n * fields);
        values = hasValues ? Arrays.copyOf(values, n * fields) : null;
        labels = Arrays.copyOf(labels, n);
        weights = hasWeights ? Arrays.copyOf(weights, n) : null;
        sequenceOffsets = hasSequences ? Arrays.copyOf(sequenceOffsets, n + 1) : null;
      }
      if (hasSequences) {
        sequenceIds = Arrays.copyOf(sequenceIds, sequenceOffsets[n]);
      }
      return new ExampleBlock(n, fields, ids, values, labels, weights, sequenceOffsets, sequenceIds);
    }

    /**
     * Appends row {@code n}'s sequence (column {@code index}) to {@code sequenceIds}, growing it, and sets
     * {@code offsets[n + 1]}; returns the (possibly new) array.
     */
    private int[] readSequence(Row row, int index, List<?> rowIds, int[] offsets, int n, int[] sequenceIds) {
      String column = columns.sequenceCol();
      if (row.isNullAt(index)) {
        throw invalid(column, "must not be null (an empty array for no events)", "(featureIds " + rowIds
            + ") is null");
      }
      List<?> sequence = row.getList(index);
      int start = offsets[n];
      int end = Math.addExact(start, sequence.size());
      if (end > sequenceIds.length) {
        sequenceIds = Arrays.copyOf(sequenceIds, Math.max(end, (int) Math.min(Integer.MAX_VALUE - 8,
            2L * sequenceIds.length)));
      }
      for (int i = 0; i < sequence.size(); i++) {
        Object id = sequence.get(i);
        if (id == null || (Integer) id < 0) {
          throw invalid(column, "must hold non-negative ids, not null", "(featureIds " + rowIds + ") holds " + id
              + " at position " + i);
        }
        sequenceIds[start + i] = (Integer) id;
      }
      offsets[n + 1] = end;
      return sequenceIds;
    }

    private List<?> readArray(Row row, int index, String column, List<?> rowIds) {
      String where = rowIds == null ? "" : "(featureIds " + rowIds + ") ";
      if (row.isNullAt(index)) {
        throw invalid(column, "must not be null; every row needs " + fields + " entries", where + "is null");
      }
      List<?> list = row.getList(index);
      if (list.size() != fields) {
        throw invalid(column, "must hold " + fields + " entries in every row, as many as the training data's first "
            + "row has ids", where + "holds " + list.size() + ": " + list);
      }
      return list;
    }

    private static InvalidExampleException invalid(String column, String rule, String example) {
      return new InvalidExampleException("Column '" + column + "' " + rule + ", but a row " + example + ".");
    }
  }

  /** A row that breaks the input contract; the message names the column and the offending value. */
  static final class InvalidExampleException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidExampleException(String message) {
      super(message);
    }
  }
}
