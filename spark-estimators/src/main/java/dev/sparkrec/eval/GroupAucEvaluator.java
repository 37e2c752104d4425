package dev.sparkrec.eval;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.sparkrec.ml.param.HasGroupCol;
import dev.sparkrec.ml.param.HasLabelCol;
import dev.sparkrec.ml.param.HasRawPredictionCol;
import dev.sparkrec.ml.param.HasWeightCol;
import dev.sparkrec.ml.param.ParamRegistry;
import dev.sparkrec.ml.SchemaChecks;
import java.util.List;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Group AUC (GAUC) of the CTR literature: the ROC AUC of each group (usually a user), averaged with
 * impression weights; larger is better.
 *
 * <pre>
 *   GAUC = sum_g w_g AUC_g / sum_g w_g
 * </pre>
 * over the groups {@code g} of {@code groupCol} that hold both a positive and a negative label.
 * {@code AUC_g} is the exact ROC AUC of the group's rows with ties counted 1/2 (weighted by
 * {@code weightCol} when set; see {@link BinaryMetrics}), and {@code w_g} is the group's number of rows,
 * or the sum of its weights when {@code weightCol} is set. Groups whose labels are all one class (or
 * whose positives or negatives all have weight 0) have no AUC and are skipped;
 * {@link #evaluateDetailed} reports how many. If every group is skipped the evaluator fails.
 *
 * <p>The score is element 1 of a 2-element ML Vector in {@code rawPredictionCol} (a binary
 * classifier's {@code rawPrediction} or {@code probability}) or a numeric column. Only the order of
 * scores within a group matters, so any monotone transform of the score (margin, probability, logit)
 * gives the same GAUC.
 *
 * <p>Computed without collecting rows: the rows are hash-partitioned and sorted by group, each
 * partition computes its groups' AUCs one group at a time (memory of one group), and only one
 * small sum per partition reaches the driver. Every row is validated in the same pass: a null
 * group, a label other than 0 or 1, a null or NaN score, or a negative or non-finite weight fails
 * with an {@link IllegalArgumentException} naming the column and an example value.
 *
 * <p>For the AUC of all rows without groups use MLlib's {@code BinaryClassificationEvaluator}
 * ({@code metricName = "areaUnderROC"}; set {@code numBins = 0} for the exact value, its default
 * 1000 bins down-samples the curve).
 */
public final class GroupAucEvaluator extends Evaluator
    implements HasGroupCol, HasLabelCol, HasRawPredictionCol, HasWeightCol, DefaultParamsWritable {

  private static final long serialVersionUID = 1L;

  private static final DataType[] GROUP_TYPES = {DataTypes.StringType, DataTypes.IntegerType, DataTypes.LongType,
      DataTypes.ShortType, DataTypes.ByteType};

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();

  public GroupAucEvaluator() {
    this(Identifiable$.MODULE$.randomUID("groupAucEval"));
  }

  public GroupAucEvaluator(String uid) {
    this.uid = uid;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public ParamRegistry paramRegistry() {
    return paramRegistry;
  }

  public GroupAucEvaluator setGroupCol(String value) {
    set(groupCol(), value);
    return this;
  }

  public GroupAucEvaluator setLabelCol(String value) {
    set(labelCol(), value);
    return this;
  }

  public GroupAucEvaluator setRawPredictionCol(String value) {
    set(rawPredictionCol(), value);
    return this;
  }

  public GroupAucEvaluator setWeightCol(String value) {
    set(weightCol(), value);
    return this;
  }

  /** The GAUC of {@code dataset}; see the class documentation for the formula. */
  @Override
  public double evaluate(Dataset<?> dataset) {
    return evaluateDetailed(dataset).groupAuc();
  }

  /** The GAUC of {@code dataset} with the number of groups evaluated and skipped. */
  public GroupAucResult evaluateDetailed(Dataset<?> dataset) {
    StructType schema = dataset.schema();
    String groupName = getGroupCol();
    SchemaChecks.requireColumnType(schema, groupName, GROUP_TYPES);
    EvaluationColumns columns = EvaluationColumns.resolve(schema, getLabelCol(), "rawPredictionCol",
        getRawPredictionCol(), false, getWeightCol());
    Column group = EvaluationColumns.column(groupName);
    Column problem = coalesce(when(group.isNull(), lit("groupCol '" + groupName + "' holds null")),
        columns.problem);
    // Column order must match GroupAucPartition.GROUP .. PROBLEM.
    Dataset<Row> rows = dataset.select(group.as("group"), columns.label.as("label"), columns.score.as("score"),
            columns.weight.as("weight"), problem.as("problem"))
        .repartition(col("group"))
        // Sorting by every column fixes the summation order within a group, so weighted sums are
        // reproducible bit for bit whatever order the rows arrived in.
        .sortWithinPartitions(col("group"), col("score"), col("label"), col("weight"));
    List<GroupAucSums> partitions = rows.toJavaRDD()
        .mapPartitions(new GroupAucPartition(!getWeightCol().isEmpty()))
        .collect();

    GroupAucSums total = new GroupAucSums();
    for (GroupAucSums partition : partitions) { // partition order, so the sum is reproducible
      total.merge(partition);
    }
    if (total.invalidRows > 0) {
      throw new IllegalArgumentException("GroupAucEvaluator: " + total.invalidRows + " invalid row(s), e.g. "
          + total.firstProblem + ".");
    }
    if (total.evaluatedGroups == 0) {
      throw new IllegalArgumentException("GroupAucEvaluator: none of the " + total.skippedGroups + " group(s) in "
          + "groupCol '" + groupName + "' has both a positive and a negative label (with positive weight), "
          + "so group AUC is undefined.");
    }
    double groupAuc = total.weightedAucSum / total.weightSum; // GAUC = sum_g w_g AUC_g / sum_g w_g
    return new GroupAucResult(groupAuc, total.evaluatedGroups, total.skippedGroups, total.weightSum);
  }

  @Override
  public GroupAucEvaluator copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** Reads an evaluator saved with {@code write().save(path)}; Spark's CrossValidator loader calls this. */
  public static MLReader<GroupAucEvaluator> read() {
    return new ParamsOnlyReader<>(GroupAucEvaluator.class, GroupAucEvaluator::new);
  }

  public static GroupAucEvaluator load(String path) {
    return read().load(path);
  }
}
