package dev.sparkrec.train;

import dev.sparkrec.nn.Parameter;
import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores rows with a model whose embedding tables a sharded run left in the cluster ({@link TrainedParameters}),
 * without reading the tables to the driver or broadcasting them: each partition lists the table rows its rows read
 * (forward passes on a listing tape), pulls exactly those rows from the shards, and scores with a network whose
 * tables hold only them. The dense parameters are broadcast.
 *
 * <p>The input is read twice, once to list and once to score: cache it when it is expensive to compute. Tables
 * below {@link #MAX_BROADCAST_TABLE_BYTES} (a session conf, default {@value #DEFAULT_MAX_BROADCAST_TABLE_BYTES}
 * bytes) are broadcast instead ({@link #pulls}).
 */
public final class PulledRowsScoring {

  private static final Logger LOG = LoggerFactory.getLogger(PulledRowsScoring.class);

  /**
   * Session conf: the most bytes of embedding tables in the cluster that scoring reads to the driver and broadcasts;
   * larger tables are pulled row by row.
   */
  public static final String MAX_BROADCAST_TABLE_BYTES = "spark.sparkrec.scoring.maxBroadcastTableBytes";
  /** Default of {@link #MAX_BROADCAST_TABLE_BYTES}: 64 MiB. */
  public static final long DEFAULT_MAX_BROADCAST_TABLE_BYTES = 64L << 20;

  /** How a scorer reads a partition: in batches to list the rows it needs, and whole to score it. */
  public interface PartitionScorer extends Serializable {

    /** Reads {@code rows} into batches, calling {@code step} on each (the batch is reused). */
    void forEachBatch(Iterator<Row> rows, Consumer<Batch> step);

    /** The partition's output rows, scored by {@code model}. */
    Iterator<Row> score(TrainableModel model, Iterator<Row> rows);
  }

  private PulledRowsScoring() {}

  /**
   * Whether {@code parameters} should be scored by pulling rows: they are a {@link TrainedParameters} whose tables in
   * the cluster are exactly the sparse-row parameters of the networks {@code networks} builds, in their order, and
   * hold more than the session's {@link #MAX_BROADCAST_TABLE_BYTES}.
   */
  public static boolean pulls(SparkSession spark, Map<String, float[]> parameters, ModelFactory networks) {
    if (!(parameters instanceof TrainedParameters trained) || trained.tablesInCluster() == null) {
      return false;
    }
    TrainedTables tables = trained.tablesInCluster();
    long limit = maxBroadcastTableBytes(spark);
    long bytes = 0;
    for (int j = 0; j < tables.names().size(); j++) {
      if (!trained.isInCluster(tables.names().get(j))) {
        return false;
      }
      bytes += 4L * tables.size(j);
    }
    if (bytes <= limit) {
      return false;
    }
    List<String> sparse = Parameter.buildingCompact(networks::create).parameters().stream()
        .filter(Parameter::isSparseRows).map(Parameter::name).toList();
    return sparse.equals(tables.names());
  }

  /** The session's {@link #MAX_BROADCAST_TABLE_BYTES}. */
  public static long maxBroadcastTableBytes(SparkSession spark) {
    String value = spark.conf().get(MAX_BROADCAST_TABLE_BYTES, Long.toString(DEFAULT_MAX_BROADCAST_TABLE_BYTES));
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(MAX_BROADCAST_TABLE_BYTES + " must be a number of bytes but is '" + value
          + "'", e);
    }
  }

  /**
   * The rows {@code scorer} outputs for each partition of {@code input}, scored by a network from {@code networks}
   * holding {@code parameters} (see the class comment); the caller checked {@link #pulls}.
   */
  public static JavaRDD<Row> score(JavaRDD<Row> input, TrainedParameters parameters, ModelFactory networks,
      PartitionScorer scorer) {
    TrainedTables tables = parameters.tablesInCluster();
    LOG.info("Scoring pulls the rows each partition reads of the embedding tables {} from {} shards",
        tables.names(), tables.shardCount());
    Broadcast<Map<String, float[]>> broadcast =
        JavaSparkContext.fromSparkContext(input.context()).broadcast(denseParameters(parameters));
    int shards = tables.shardCount();
    JavaRDD<ShardedTables.RowRequest> requests = JavaPairRDD.fromJavaRDD(input.mapPartitionsWithIndex((p, rows) -> {
      boolean[] any = {false};
      int[][] read = TouchedRows.readBy(network(networks, broadcast.value()), step -> scorer.forEachBatch(rows,
          batch -> {
            any[0] = true;
            step.accept(batch);
          }));
      return any[0] ? ShardedTables.RowRequest.perShard(p, read, shards).iterator() : Collections.emptyIterator();
    }, false)).partitionBy(new HashPartitioner(shards)).values();
    // HashPartitioner(n) puts an integer key k (0 <= k < n) in partition k
    JavaRDD<ShardedTables.PulledRows> pulled = JavaPairRDD.fromJavaRDD(
            tables.shards().zipPartitions(requests, new ShardedTables.Answer(shards, false)))
        .partitionBy(new HashPartitioner(input.getNumPartitions())).values();
    return input.zipPartitions(pulled, (rows, rowsPulled) -> {
      TrainableModel model = network(networks, broadcast.value());
      ShardedTables.PulledRows.loadAll(rowsPulled, model.parameters(), null);
      return scorer.score(model, rows);
    });
  }

  /** The parameters the driver holds of {@code parameters}: all but the tables left in the cluster, in order. */
  public static Map<String, float[]> denseParameters(TrainedParameters parameters) {
    LinkedHashMap<String, float[]> dense = new LinkedHashMap<>();
    for (String name : parameters.keySet()) {
      if (!parameters.isInCluster(name)) {
        dense.put(name, parameters.get(name));
      }
    }
    return dense;
  }

  /**
   * A network from {@code networks} whose sparse-row tables are {@linkplain Parameter#compact compact} (no rows yet:
   * the caller loads the rows it reads) and whose other parameters hold {@code dense}'s values.
   */
  public static TrainableModel network(ModelFactory networks, Map<String, float[]> dense) {
    TrainableModel model = Parameter.buildingCompact(networks::create);
    for (Parameter p : model.parameters()) {
      if (p.isSparseRows()) {
        continue;
      }
      float[] values = dense.get(p.name());
      if (values == null || values.length != p.size()) {
        throw new IllegalStateException("the trained parameters hold " + (values == null ? "no" : values.length)
            + " values for parameter " + p.name() + " of " + p.size());
      }
      System.arraycopy(values, 0, p.data(), 0, p.size());
    }
    return model;
  }
}
