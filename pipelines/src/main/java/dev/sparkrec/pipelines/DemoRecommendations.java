package dev.sparkrec.pipelines;

import static org.apache.spark.sql.functions.col;

import dev.sparkrec.data.SampleData;
import dev.sparkrec.fia.InfluenceExplainer;
import dev.sparkrec.fia.MatrixFactorization;
import dev.sparkrec.fia.MatrixFactorizationModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The demo's recommendation part: SparkRec's matrix factorisation trained on the generated sample ratings, each of
 * the first {@value #USERS} users' top {@value #K} unrated items recommended and explained by FIA (the user's three
 * most influential ratings per recommendation), written as a Delta table keyed by (user, rank).
 */
final class DemoRecommendations {

  static final int USERS = 100;
  static final int K = 10;

  /**
   * What this part measured and wrote; {@code example} is user 0's first recommendations in a sentence each,
   * {@code explained} all of user 0's as {@link ExplanationTable} rows.
   */
  record Result(long ratings, double trainSeconds, String path, long version, long rows, List<String> example,
      List<List<Object>> explained) {}

  private DemoRecommendations() {}

  static Result run(SparkSession spark, Path samples, Path outDir) {
    Dataset<Row> ratings = SampleData.ratings(spark, samples).cache();
    long count = ratings.count();
    MatrixFactorization mf = new MatrixFactorization().setRank(8).setMaxIter(8).setSeed(7);
    long start = System.nanoTime();
    MatrixFactorizationModel model = mf.fit(ratings);
    double seconds = (System.nanoTime() - start) / 1e9;

    InfluenceExplainer explainer = new InfluenceExplainer().setModel(model).setTrainingRatings(ratings).setTopK(3);
    Dataset<Row> users = ratings.select("user").distinct().where(col("user").lt(USERS));
    String path = outDir.resolve("recommendations").toString();
    long version = DemoJob.overwriteDelta(explainer.recommendAndExplain(users, K), path);
    Dataset<Row> written = spark.read().format("delta").load(path);
    List<Row> userZero = written.where("user = 0").orderBy("rank").collectAsList();
    List<String> example = new ArrayList<>();
    for (Row r : userZero.subList(0, Math.min(3, userZero.size()))) {
      Row why = r.<Row>getList(r.fieldIndex("explanations")).get(0);
      example.add(String.format(Locale.ROOT, "#%d item %d, predicted %.2f, most of all because %s %.0f (without "
          + "that rating: %+.2f)", number(r, "rank").intValue(), number(r, "item").intValue(),
          number(r, "prediction").doubleValue(), ExplanationTable.who(why, 0), number(why, "rating").doubleValue(),
          number(why, "influence").doubleValue()));
    }
    List<List<Object>> explained = ExplanationTable.rows(userZero, "user", "item", true);
    Result result = new Result(count, seconds, path, version, written.count(), example, explained);
    ratings.unpersist();
    return result;
  }

  private static Number number(Row row, String field) {
    return ExplanationTable.number(row, field);
  }
}
