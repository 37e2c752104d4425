package dev.sparkrec.fia;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.train.Batch;
import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.PulledRowsScoring;
import dev.sparkrec.train.TrainableModel;
import dev.sparkrec.train.TrainedParameters;
import dev.sparkrec.train.TrainedTables;
import dev.sparkrec.train.TrainedTables.RowBlock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * Top-k recommendations of a collaborative-filtering model whose embedding tables a sharded run (or a load above the
 * broadcast limit) left in the cluster: no table is read to the driver or broadcast, only the dense parameters and
 * the id lists are.
 *
 * <p>The users' and the items' table rows are read from the shards in blocks ({@link TrainedTables#rowBlocks}).
 * Every pair of a query block and a candidate block is one unit of work: a network holding just those rows scores
 * each query against each candidate of the block, in batches, as {@link TopKRecommender} does, and keeps the query's
 * best k of the block. A query's lists from all candidate blocks are then merged by score, ties (and NaN, last) by
 * smaller candidate index, so the result is the {@link TopKRecommender}'s, from the same network outputs, whatever
 * order the lists merge in.
 */
final class ShardedTopK {

  /** Rows per block: a block pair scores up to 4096 × 4096 pairs. */
  static final int BLOCK_ROWS = 4096;
  private static final int BATCH = 4096;

  private ShardedTopK() {}

  /**
   * The top {@code k} candidates of every query, as {@code schema}'s rows ({@code queryId}, array of
   * {@code (candidateId, score)}), best first.
   *
   * @param ids the model's ids, global mean and width (no parameters)
   * @param probabilities whether the network's output is a logit and scores are its sigmoid
   * @param forUsers whether the queries are users (and the candidates items) or the reverse
   */
  static Dataset<Row> recommend(SparkSession spark, TrainedParameters parameters, ModelFactory networks,
      CfModelData ids, boolean probabilities, boolean forUsers, String[] userParts, String[] itemParts, int k,
      StructType schema) {
    return recommend(spark, parameters, networks, ids, probabilities, forUsers, userParts, itemParts, k, schema,
        BLOCK_ROWS);
  }

  /** {@link #recommend} with blocks of at most {@code blockRows} rows (a multiple of 8, or 8). */
  static Dataset<Row> recommend(SparkSession spark, TrainedParameters parameters, ModelFactory networks,
      CfModelData ids, boolean probabilities, boolean forUsers, String[] userParts, String[] itemParts, int k,
      StructType schema, int blockRows) {
    TrainedTables tables = parameters.tablesInCluster();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<Map<String, float[]>> dense = jsc.broadcast(PulledRowsScoring.denseParameters(parameters));
    Broadcast<CfModelData> idData = jsc.broadcast(ids);
    JavaPairRDD<RowBlock, RowBlock> pairs = tables.rowBlocks(List.of(forUsers ? userParts : itemParts), blockRows)
        .cartesian(tables.rowBlocks(List.of(forUsers ? itemParts : userParts), blockRows));
    int partitions = Math.max(1, spark.sparkContext().defaultParallelism());
    return spark.createDataFrame(pairs
        .mapPartitionsToPair(new ScoreBlocks(networks, dense, idData, probabilities, forUsers, userParts, itemParts,
            k))
        .reduceByKey((a, b) -> BestCandidates.merge(a, b, k), partitions)
        .map(best -> best._2.toRow(best._1, idData.value(), forUsers)), schema);
  }

  /** Scores block pairs: {@code (query index, its best k of the candidate block)} for every query of each pair. */
  private static final class ScoreBlocks implements PairFlatMapFunction<Iterator<Tuple2<RowBlock, RowBlock>>,
      Integer, BestCandidates> {
    private static final long serialVersionUID = 1L;
    private final ModelFactory networks;
    private final Broadcast<Map<String, float[]>> dense;
    private final Broadcast<CfModelData> ids;
    private final boolean probabilities;
    private final boolean forUsers;
    private final List<String> userParts;
    private final List<String> itemParts;
    private final int k;

    ScoreBlocks(ModelFactory networks, Broadcast<Map<String, float[]>> dense, Broadcast<CfModelData> ids,
        boolean probabilities, boolean forUsers, String[] userParts, String[] itemParts, int k) {
      this.networks = networks;
      this.dense = dense;
      this.ids = ids;
      this.probabilities = probabilities;
      this.forUsers = forUsers;
      this.userParts = List.of(userParts);
      this.itemParts = List.of(itemParts);
      this.k = k;
    }

    @Override
    public Iterator<Tuple2<Integer, BestCandidates>> call(Iterator<Tuple2<RowBlock, RowBlock>> blockPairs) {
      TrainableModel model = PulledRowsScoring.network(networks, dense.value());
      int numUsers = ids.value().users().size();
      Tape tape = new Tape().training(false);
      Batch batch = new Batch(BATCH, 2, false, false);
      float[] outputs = new float[batch.capacity()];
      TopKRecommender.Score score = output -> BroadcastNetwork.score(output, probabilities);
      List<Tuple2<Integer, BestCandidates>> out = new ArrayList<>();
      while (blockPairs.hasNext()) {
        Tuple2<RowBlock, RowBlock> pair = blockPairs.next();
        RowBlock queries = pair._1;
        RowBlock candidates = pair._2;
        load(model, forUsers ? queries : candidates, forUsers ? candidates : queries);
        int[] candidateRows = candidates.rows();
        TopKRecommender.TopK best = new TopKRecommender.TopK(Math.min(k, candidateRows.length));
        for (int query : queries.rows()) {
          best.clear();
          TopKRecommender.rank(model, tape, batch, outputs, numUsers, forUsers, query, candidateRows,
              candidateRows.length, score, best);
          out.add(new Tuple2<>(query, BestCandidates.of(best)));
        }
      }
      return out.iterator();
    }

    /** Makes the model's tables hold exactly the rows of the user block and of the item block. */
    private void load(TrainableModel model, RowBlock users, RowBlock items) {
      for (Parameter p : model.parameters()) {
        if (!p.isSparseRows()) {
          continue;
        }
        int part = userParts.indexOf(p.name());
        RowBlock block = users;
        if (part < 0) {
          part = itemParts.indexOf(p.name());
          block = items;
        }
        if (part < 0) {
          throw new IllegalStateException("embedding table '" + p.name() + "' is neither a user nor an item table "
              + userParts + itemParts);
        }
        int[] rows = block.rows();
        float[] values = block.values()[part];
        int d = p.rowSize();
        p.zeroGrad();
        p.compact(rows.length);
        for (int r = 0; r < rows.length; r++) {
          int at = p.admit(rows[r]) * d;
          System.arraycopy(values, r * d, p.data(), at, d);
        }
      }
    }
  }
}
