package dev.sparkrec.ml;

import dev.sparkrec.nn.ParameterValues;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.ops.Sigmoid;
import dev.sparkrec.train.Batch;
import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.PulledRowsScoring;
import dev.sparkrec.train.TrainableModel;
import dev.sparkrec.train.TrainedParameters;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Scores one partition for a CTR model over feature ids (AFN, FM, DeepFM): builds the network and loads the broadcast
 * parameters once, then runs it in evaluation mode over chunks of rows, appending {@code [-z, z]}, {@code [1 - p, p]}
 * and the thresholded label. Bad rows fail with the column and the offending value. {@link #transform} scores a
 * whole dataset, pulling the rows of embedding tables a sharded run left in the cluster instead of broadcasting them
 * ({@link PulledRowsScoring}).
 */
public final class CtrScorer implements MapPartitionsFunction<Row, Row>, PulledRowsScoring.PartitionScorer {

  private static final long serialVersionUID = 1L;
  private static final int CHUNK = 1024;

  private final ModelFactory networks;
  private final int numFields;
  private final int numFeatures;
  private final Broadcast<Map<String, float[]>> parameters;
  private final int idsIndex;
  private final int valuesIndex;
  private final String idsCol;
  private final String valuesCol;
  private final double threshold;

  /**
   * A scorer of rows with {@code numFields} ids in {@code [0, numFeatures)} at column {@code idsIndex} (named
   * {@code idsCol}) and, when {@code valuesIndex >= 0}, their values, by networks from {@code networks} holding the
   * broadcast {@code parameters}; both may be null for a scorer used only to {@link #fill} batches, and {@code
   * parameters} for one that {@linkplain #score scores} with a network it is given.
   */
  public CtrScorer(ModelFactory networks, int numFields, int numFeatures, Broadcast<Map<String, float[]>> parameters,
      int idsIndex, int valuesIndex, String idsCol, String valuesCol, double threshold) {
    this.networks = networks;
    this.numFields = numFields;
    this.numFeatures = numFeatures;
    this.parameters = parameters;
    this.idsIndex = idsIndex;
    this.valuesIndex = valuesIndex;
    this.idsCol = idsCol;
    this.valuesCol = valuesCol;
    this.threshold = threshold;
  }

  /**
   * {@code dataset} with the classifier columns of {@code out} appended, scored by a network from {@code networks}
   * holding {@code parameters}: the feature ids in column {@code idsCol} ({@code numFields} per row, in {@code [0,
   * numFeatures)}) and their values in {@code valuesCol} (none when empty). Parameters whose embedding tables a
   * sharded run left in the cluster are scored by pulling the rows each partition reads when the tables exceed the
   * session's {@link PulledRowsScoring#MAX_BROADCAST_TABLE_BYTES}; otherwise every parameter is broadcast.
   */
  public static Dataset<Row> transform(Dataset<?> dataset, StructType out, ModelFactory networks,
      Map<String, float[]> parameters, int numFields, int numFeatures, String idsCol, String valuesCol,
      double threshold) {
    StructType schema = dataset.schema();
    int idsIndex = schema.fieldIndex(idsCol);
    int valuesIndex = valuesCol.isEmpty() ? -1 : schema.fieldIndex(valuesCol);
    SparkSession spark = dataset.sparkSession();
    if (PulledRowsScoring.pulls(spark, parameters, networks)) {
      CtrScorer scorer = new CtrScorer(networks, numFields, numFeatures, null, idsIndex, valuesIndex, idsCol,
          valuesCol, threshold);
      return spark.createDataFrame(PulledRowsScoring.score(dataset.toDF().javaRDD(), (TrainedParameters) parameters,
          networks, scorer), out);
    }
    // a plain map: what a broadcast serializes with any serializer (a TrainedParameters reads its tables here)
    Broadcast<Map<String, float[]>> broadcast = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .broadcast(new LinkedHashMap<>(parameters));
    CtrScorer scorer = new CtrScorer(networks, numFields, numFeatures, broadcast, idsIndex, valuesIndex, idsCol,
        valuesCol, threshold);
    return dataset.toDF().mapPartitions(scorer, Encoders.row(out));
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    TrainableModel network = networks.create();
    ParameterValues.copyInto(network.parameters(), parameters.value());
    return score(network, rows);
  }

  @Override
  public void forEachBatch(Iterator<Row> rows, Consumer<Batch> step) {
    Batch batch = new Batch(CHUNK, numFields, valuesIndex >= 0, false);
    while (rows.hasNext()) {
      int n = 0;
      while (n < CHUNK && rows.hasNext()) {
        fill(batch, n++, rows.next());
      }
      batch.setSize(n);
      step.accept(batch);
    }
  }

  @Override
  public Iterator<Row> score(TrainableModel network, Iterator<Row> rows) {
    Tape tape = new Tape().training(false);
    Batch batch = new Batch(CHUNK, numFields, valuesIndex >= 0, false);
    float[] logits = new float[CHUNK];
    List<Row> chunk = new ArrayList<>(CHUNK);

    return new Iterator<Row>() {
      private int next;

      @Override
      public boolean hasNext() {
        if (next < chunk.size()) {
          return true;
        }
        chunk.clear();
        next = 0;
        while (chunk.size() < CHUNK && rows.hasNext()) {
          Row row = rows.next();
          fill(batch, chunk.size(), row);
          chunk.add(row);
        }
        if (chunk.isEmpty()) {
          return false;
        }
        batch.setSize(chunk.size());
        tape.reset();
        network.logits(tape, batch, logits);
        return true;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int i = next++;
        return withPredictions(chunk.get(i), logits[i]);
      }
    };
  }

  /** Whether {@link #fill} writes feature values (the scorer reads a values column). */
  public boolean fillsValues() {
    return valuesIndex >= 0;
  }

  /** Writes the ids (and values) of {@code row} into example {@code at} of {@code batch}, checking them. */
  public void fill(Batch batch, int at, Row row) {
    int fields = numFields;
    if (row.isNullAt(idsIndex)) {
      throw new IllegalArgumentException("Column '" + idsCol + "' is null in a row; every row needs one feature id "
          + "per field (encode with FieldEncoder, handleInvalid=\"keep\").");
    }
    List<Integer> ids = row.getList(idsIndex);
    if (ids.size() != fields) {
      throw new IllegalArgumentException("Column '" + idsCol + "' holds " + ids.size() + " ids in a row but the model "
          + "was trained on " + fields + " fields: " + ids + ".");
    }
    int[] out = batch.ids();
    for (int f = 0; f < fields; f++) {
      Integer id = ids.get(f);
      if (id == null || id < 0 || id >= numFeatures) {
        throw new IllegalArgumentException("Column '" + idsCol + "' has feature id " + id + " outside the model's "
            + "vocabulary [0, " + numFeatures + "); encode with the FieldEncoderModel used for training.");
      }
      out[at * fields + f] = id;
    }
    if (valuesIndex >= 0) {
      if (row.isNullAt(valuesIndex)) {
        throw new IllegalArgumentException("Column '" + valuesCol + "' is null in a row whose ids are " + ids + ".");
      }
      List<Number> values = row.getList(valuesIndex);
      if (values.size() != fields) {
        throw new IllegalArgumentException("Column '" + valuesCol + "' holds " + values.size() + " values but '"
            + idsCol + "' holds " + fields + " ids in the same row.");
      }
      float[] v = batch.values();
      for (int f = 0; f < fields; f++) {
        Number value = values.get(f);
        if (value == null || !Float.isFinite(value.floatValue())) {
          throw new IllegalArgumentException("Column '" + valuesCol + "' has value " + value + " for feature id "
              + ids.get(f) + "; feature values must be finite numbers.");
        }
        v[at * fields + f] = value.floatValue();
      }
    }
  }

  private Row withPredictions(Row row, float logit) {
    return withPredictions(row, row.size(), logit, threshold);
  }

  /**
   * The first {@code keep} values of {@code row} followed by the classifier columns of logit {@code z}: the raw
   * prediction {@code [-z, z]}, the probability {@code [1 - p, p]} and the label thresholded at {@code threshold}.
   */
  public static Row withPredictions(Row row, int keep, double z, double threshold) {
    Object[] values = new Object[keep + 3];
    for (int i = 0; i < keep; i++) {
      values[i] = row.get(i);
    }
    double p = Sigmoid.sigmoid(z);
    values[keep] = Vectors.dense(-z, z);
    values[keep + 1] = Vectors.dense(1 - p, p);
    values[keep + 2] = p > threshold ? 1.0 : 0.0;
    return RowFactory.create(values);
  }
}
