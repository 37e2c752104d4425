package dev.sparkrec.eval;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.log1p;
import static org.apache.spark.sql.functions.negate;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.sparkrec.ml.param.HasLabelCol;
import dev.sparkrec.ml.param.HasProbabilityCol;
import dev.sparkrec.ml.param.HasWeightCol;
import dev.sparkrec.ml.param.ParamRegistry;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Binary log loss (logistic loss, cross-entropy) of predicted probabilities; smaller is better.
 *
 * <pre>
 *   logLoss = -(1 / W) * sum_i w_i [y_i log p_i + (1 - y_i) log(1 - p_i)],   W = sum_i w_i,
 *   p_i clipped to [eps, 1 - eps]
 * </pre>
 * with {@code y_i} in {0, 1} from {@code labelCol}, {@code p_i} the positive-class probability from
 * {@code probabilityCol} (element 1 of a 2-element ML Vector such as {@code LogisticRegression}'s
 * output, or a double/float column) and {@code w_i} from {@code weightCol} (1 when unset). The
 * clipping matches {@link BinaryMetrics#logLoss}, so a training loop and this evaluator agree.
 *
 * <p>Computed in one DataFrame aggregation that also validates every row: a label other than 0 or 1,
 * a probability outside [0, 1] or NaN, or a negative or non-finite weight fails with an
 * {@link IllegalArgumentException} naming the column and an example value. An empty dataset, or one
 * whose weights sum to 0, fails too.
 *
 * <p>For a Vector probability column MLlib's {@code MulticlassClassificationEvaluator} with
 * {@code metricName = "logLoss"} computes the same quantity (its {@code eps} defaults to 1e-15); this
 * evaluator adds scalar probability columns, strict 0/1 labels and SparkRec's default clipping.
 */
public final class LogLossEvaluator extends Evaluator
    implements HasLabelCol, HasProbabilityCol, HasWeightCol, DefaultParamsWritable {

  private static final long serialVersionUID = 1L;

  private final String uid;
  private final ParamRegistry paramRegistry = new ParamRegistry();

  public LogLossEvaluator() {
    this(Identifiable$.MODULE$.randomUID("logLossEval"));
  }

  public LogLossEvaluator(String uid) {
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

  /** Probabilities are clipped to [eps, 1 - eps]; in (0, 0.5) (default: 1e-7). */
  public DoubleParam eps() {
    return param("eps", o -> new DoubleParam(o, "eps", "probabilities are clipped to [eps, 1 - eps]; in (0, 0.5) "
        + "(default: 1e-7)", ParamValidators.inRange(0.0, 0.5, false, false)), BinaryMetrics.DEFAULT_EPS);
  }

  public LogLossEvaluator setLabelCol(String value) {
    set(labelCol(), value);
    return this;
  }

  public LogLossEvaluator setProbabilityCol(String value) {
    set(probabilityCol(), value);
    return this;
  }

  public LogLossEvaluator setWeightCol(String value) {
    set(weightCol(), value);
    return this;
  }

  public double getEps() {
    return (Double) getOrDefault(eps());
  }

  public LogLossEvaluator setEps(double value) {
    set(eps(), value);
    return this;
  }

  /** The weighted mean log loss of {@code dataset}; see the class documentation for the formula. */
  @Override
  public double evaluate(Dataset<?> dataset) {
    EvaluationColumns columns = EvaluationColumns.resolve(dataset.schema(), getLabelCol(), "probabilityCol",
        getProbabilityCol(), true, getWeightCol());
    double clip = getEps();
    Column p = greatest(lit(clip), least(lit(1.0 - clip), columns.score)); // clip p to [eps, 1 - eps]
    // -[y log p + (1 - y) log(1 - p)]
    Column loss = when(columns.label.equalTo(1.0), negate(log(p))).otherwise(negate(log1p(negate(p))));
    Row totals = dataset.agg(
        sum(columns.weight.multiply(loss)),
        sum(columns.weight),
        count(columns.problem),
        first(columns.problem, true)).head();
    long invalidRows = totals.getLong(2);
    if (invalidRows > 0) {
      throw new IllegalArgumentException("LogLossEvaluator: " + invalidRows + " invalid row(s), e.g. "
          + totals.getString(3) + ".");
    }
    if (totals.isNullAt(1) || totals.getDouble(1) == 0.0) {
      throw new IllegalArgumentException("LogLossEvaluator: the dataset has no rows with positive weight, "
          + "so log loss is undefined.");
    }
    return totals.getDouble(0) / totals.getDouble(1); // weighted mean: sum w_i loss_i / sum w_i
  }

  @Override
  public boolean isLargerBetter() {
    return false;
  }

  @Override
  public LogLossEvaluator copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** Reads an evaluator saved with {@code write().save(path)}; Spark's CrossValidator loader calls this. */
  public static MLReader<LogLossEvaluator> read() {
    return new ParamsOnlyReader<>(LogLossEvaluator.class, LogLossEvaluator::new);
  }

  public static LogLossEvaluator load(String path) {
    return read().load(path);
  }
}
