package dev.sparkrec.fia;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.call_udf;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.slice;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;

import dev.sparkrec.ml.ArrayFunctions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;

/**
 * Top-k scoring for a model whose prediction is a dot product of factor arrays ({@link FactorPredictor}: MF, ALS),
 * written as Spark SQL over {@code sparkrec_dot} so that on a RAPIDS cluster it stays on the GPU.
 *
 * <p>The prediction {@code μ + p_u·q_i + b_u + b_i} is the dot product of the scoring arrays {@code [p_u, b_u, 1, 1]}
 * and {@code [q_i, 1, b_i, μ]} (the bias entries only with biases, the last only when {@code μ ≠ 0}), with {@code μ}
 * rounded to float as an array entry. {@link #score} computes the same sum in the JVM, in the same order and in
 * double precision as {@code sparkrec_dot} does, so the JVM and SQL paths rank identically.
 */
final class DotProductTopK {

  private DotProductTopK() {}

  /** Whether {@code predictor}'s prediction is a dot product of scoring arrays. */
  static boolean applies(FactorizedPredictor predictor) {
    return predictor instanceof FactorPredictor;
  }

  /** Whether the SQL path runs: the predictor applies and the session has SparkRec's array functions. */
  static boolean sqlPath(SparkSession spark, FactorizedPredictor predictor) {
    return applies(predictor) && ArrayFunctions.registered(spark);
  }

  /** The score of user vector {@code x} and item vector {@code y}: {@code sparkrec_dot} of their scoring arrays. */
  static float score(FactorPredictor predictor, float[] x, float[] y) {
    int rank = predictor.rank();
    double sum = 0;
    for (int a = 0; a < rank; a++) {
      sum += (double) x[a] * y[a];
    }
    if (predictor.withBiases()) {
      sum += (double) x[rank] * 1f;
      sum += 1f * (double) y[rank];
    }
    if (predictor.globalMean() != 0) {
      sum += 1f * (double) (float) predictor.globalMean();
    }
    return (float) sum;
  }

  /** The user's scoring array from its vector column {@code x_u}. */
  static Column userArray(FactorPredictor predictor, Column vector) {
    int rank = predictor.rank();
    Column out = predictor.withBiases()
        ? concat(slice(vector, 1, rank), array(element_at(vector, rank + 1), lit(1f)))
        : vector;
    return predictor.globalMean() != 0 ? concat(out, array(lit(1f))) : out;
  }

  /** The item's scoring array from its vector column {@code y_i}. */
  static Column itemArray(FactorPredictor predictor, Column vector) {
    int rank = predictor.rank();
    Column out = predictor.withBiases()
        ? concat(slice(vector, 1, rank), array(lit(1f), element_at(vector, rank + 1)))
        : vector;
    return predictor.globalMean() != 0 ? concat(out, array(lit((float) predictor.globalMean()))) : out;
  }

  /**
   * The best {@code k} candidates of every query by {@code sparkrec_dot}: rows {@code (query, candidate, rank, score)},
   * rank 1 the highest score, ties by smaller candidate id.
   *
   * @param queries {@code id: int, vector: array<float>}
   * @param queriesAreUsers whether the queries are users (and the candidates items) or the reverse
   * @param candidates {@code id: int, vector: array<float>}, broadcast (the smaller side: a factor table)
   * @param excluded {@code (query, candidate)} pairs not to recommend, or null
   */
  static Dataset<Row> sql(FactorPredictor predictor, Dataset<Row> queries, boolean queriesAreUsers,
      Dataset<Row> candidates, Dataset<Row> excluded, int k) {
    Column queryVector = col("vector");
    Dataset<Row> q = queries.select(col("id").as("query"),
        (queriesAreUsers ? userArray(predictor, queryVector) : itemArray(predictor, queryVector)).as("__q_array"));
    Column candidateVector = col("vector");
    Dataset<Row> c = candidates.select(col("id").as("candidate"),
        (queriesAreUsers ? itemArray(predictor, candidateVector) : userArray(predictor, candidateVector))
            .as("__c_array"));
    Dataset<Row> pairs = q.crossJoin(broadcast(c));
    if (excluded != null) {
      Dataset<Row> x = excluded.select(col("query").as("__x_query"), col("candidate").as("__x_candidate"));
      pairs = pairs.join(x, col("query").equalTo(col("__x_query")).and(col("candidate").equalTo(col("__x_candidate"))),
          "left_anti");
    }
    Column score = queriesAreUsers ? call_udf(ArrayFunctions.DOT, col("__q_array"), col("__c_array"))
        : call_udf(ArrayFunctions.DOT, col("__c_array"), col("__q_array"));
    return pairs.select(col("query"), col("candidate"), score.as("score"))
        .withColumn("rank", row_number().over(Window.partitionBy(col("query"))
            .orderBy(col("score").desc(), col("candidate").asc())))
        .where(col("rank").leq(k))
        .select(col("query"), col("candidate"), col("rank"), col("score"));
  }

  /**
   * {@link #sql} rows gathered into ALS's shape: {@code idCol} and {@code recommendations}
   * {@code array<struct<otherCol, rating>>}, best first.
   */
  static Dataset<Row> asRecommendationLists(Dataset<Row> top, String idCol, String otherCol) {
    return top.groupBy(col("query"))
        .agg(sort_array(collect_list(struct(col("rank"), col("candidate"), col("score")))).as("__ranked"))
        .select(col("query").as(idCol), expr("transform(__ranked, r -> named_struct('" + otherCol
            + "', r.candidate, 'rating', r.score))").as("recommendations"));
  }
}
