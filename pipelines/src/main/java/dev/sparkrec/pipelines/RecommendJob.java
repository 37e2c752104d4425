package dev.sparkrec.pipelines;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode;

import dev.sparkrec.fia.CollaborativeFilteringModel;
import java.io.PrintStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sparkrec recommend --model DIR --k K --output PATH [--for users|items]}: the top K items of every user a
 * saved rating model ({@code mf}, {@code ncf}) knows ({@link CollaborativeFilteringModel#recommendForAllUsers}), or
 * the top K users of every item, one row per slot, MERGEd into a Delta table on (user, rank) (on (item, rank) for
 * items) so that a rerun replaces each list. Like ALS's, the lists rank every item, rated ones included; {@code
 * explain --recommend K} gives each user's top K unrated items with their explanations. Rows: user, item, rank
 * (1 first), {@code prediction}, {@code model_uid}. The lists are computed on the executors; a model whose tables
 * are loaded into the cluster as shards (above {@code spark.sparkrec.scoring.maxBroadcastTableBytes}) is scored
 * block against block from the shards.
 */
@Command(name = "recommend", sortOptions = false,
    header = "Recommend the top K items of every user (mf/ncf); MERGE them into a Delta table.",
    description = {"Recommend the top K items of every user an mf/ncf model knows (or the top K users of every",
        "item), one row per slot, and MERGE them into a Delta table on (user, rank), or (item, rank)."})
final class RecommendJob implements Job {

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "An mf or ncf model saved by train.")
  String modelDir;

  @Option(names = "--k", required = true, paramLabel = "K", description = "Recommendations per user (or item).")
  int k;

  @Option(names = "--for", paramLabel = "WHOM", defaultValue = "users",
      description = "users (each user's top items) or items (each item's top users); default: ${DEFAULT-VALUE}.")
  String whom;

  @Option(names = "--output", required = true, paramLabel = "PATH", description = "The Delta table to merge into.")
  String output;

  @Mixin
  StandardOptions standard;

  @Override
  public int run(PrintStream out) {
    if (k < 1) {
      throw new UsageException("--k must be at least 1, got " + k + ".");
    }
    if (!whom.equals("users") && !whom.equals("items")) {
      throw new UsageException("--for must be users or items, got " + whom + ".");
    }
    boolean forUsers = whom.equals("users");
    SparkSession spark = Main.session("sparkrec recommend");
    CollaborativeFilteringModel<?> model = ExplainJob.ratingModel(modelDir, "recommend");
    String query = forUsers ? model.getUserCol() : model.getItemCol();
    String candidate = forUsers ? model.getItemCol() : model.getUserCol();
    Dataset<Row> lists = forUsers ? model.recommendForAllUsers(k) : model.recommendForAllItems(k);
    Dataset<Row> rows = lists.select(col(query), posexplode(col("recommendations")))
        .withColumn(candidate, col("col." + candidate))
        .select(col(model.getUserCol()), col(model.getItemCol()), col("pos").plus(1).as("rank"),
            col("col.rating").as("prediction"), lit(model.uid()).as("model_uid"));
    String[] keys = {query, "rank"};
    long version = PredictJob.merge(spark, rows, keys, output);
    out.println("sparkrec recommend: the top " + k + " " + (forUsers ? "items of every user" : "users of every item"));
    out.println("  model           " + modelDir + " (" + model.uid() + ")");
    out.println("  output          " + output + " (Delta table, version " + version + ", merged on "
        + String.join(", ", keys) + ")");
    return 0;
  }
}
