package dev.sparkrec.fia;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted MLlib {@link ALSModel} (explicit feedback) seen by influence analysis: {@code f = p_u·q_i}, trained
 * on ALS's objective {@code Σ (r − p_u·q_i)² + λ (Σ_u n_u‖p_u‖² + Σ_i n_i‖q_i‖²)}, which is
 * {@link FactorizedPredictor}'s form with {@code λ = regParam}. An {@code ALSModel} does not keep the
 * {@code regParam} it was trained with, so it is given here.
 *
 * <p>Only explicit, unconstrained ALS ({@code implicitPrefs = false}, {@code nonnegative = false}) has that
 * objective: implicit ALS minimises a confidence-weighted loss over every (user, item) pair and non-negative ALS
 * solves a constrained problem, so the influences computed for them would be silently wrong. A model fitted in
 * this JVM still knows its {@code ALS} estimator ({@code parent()}); such a model is rejected when that estimator
 * has {@code implicitPrefs} or {@code nonnegative} set, or a {@code regParam} other than the one given. A loaded
 * model has no parent, so nothing can be checked: passing it states that it was fitted explicitly, without the
 * non-negativity constraint, with {@code regParam}.
 */
public final class AlsFactorizedModel implements FactorizedModel, MLWritable {

  private final ALSModel als;
  private final double regParam;

  /**
   * {@code als} fitted with explicit feedback ({@code implicitPrefs = false}), without the non-negativity
   * constraint ({@code nonnegative = false}) and with {@code regParam} (≥ 0); checked against
   * {@code als.parent()} when it is an {@code ALS}, trusted otherwise (see the class documentation).
   */
  public AlsFactorizedModel(ALSModel als, double regParam) {
    if (als == null) {
      throw new IllegalArgumentException("an ALSModel is required");
    }
    if (!(regParam >= 0) || Double.isInfinite(regParam)) {
      throw new IllegalArgumentException("regParam must be a finite number >= 0, got " + regParam);
    }
    if (als.parent() instanceof ALS) {
      requireExplicitUnconstrained((ALS) als.parent(), regParam);
    }
    this.als = als;
    this.regParam = regParam;
  }

  private static void requireExplicitUnconstrained(ALS fitter, double regParam) {
    String why = " Influence analysis assumes explicit ALS's objective Σ (r − p_u·q_i)² + λ (Σ_u n_u‖p_u‖² +"
        + " Σ_i n_i‖q_i‖²) without constraints, so its influences for this model would be wrong.";
    if (fitter.getImplicitPrefs()) {
      throw new IllegalArgumentException("The ALSModel was fitted with implicitPrefs = true (confidence-weighted"
          + " implicit feedback)." + why + " Explain an ALS fitted with implicitPrefs = false, or a NeuralCF"
          + " model with loss \"bce\" for implicit feedback.");
    }
    if (fitter.getNonnegative()) {
      throw new IllegalArgumentException("The ALSModel was fitted with nonnegative = true (factors constrained"
          + " to be >= 0)." + why + " Explain an ALS fitted with nonnegative = false.");
    }
    if (fitter.getRegParam() != regParam) {
      throw new IllegalArgumentException("regParam " + regParam + " was given but the ALSModel was fitted with"
          + " regParam " + fitter.getRegParam() + "; pass the regParam the model was fitted with.");
    }
  }

  /** The wrapped model. */
  public ALSModel als() {
    return als;
  }

  public double regParam() {
    return regParam;
  }

  @Override
  public FactorizedPredictor predictor() {
    return new FactorPredictor(als.rank(), false, 0.0, regParam);
  }

  @Override
  public Dataset<Row> userVectors() {
    return als.userFactors().withColumnRenamed("features", "vector");
  }

  @Override
  public Dataset<Row> itemVectors() {
    return als.itemFactors().withColumnRenamed("features", "vector");
  }

  /** Writes the ALS model to {@code path/als} and {@code regParam} to {@code path/regParam}. */
  @Override
  public MLWriter write() {
    return new MLWriter() {
      @Override
      public void saveImpl(String path) {
        try {
          als.write().save(path + "/als");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        StructType schema = new StructType().add("regParam", DataTypes.DoubleType, false);
        sparkSession().createDataFrame(List.of(RowFactory.create(regParam)), schema).write()
            .parquet(path + "/regParam");
      }
    };
  }

  /** Reads what {@link #write()} saved. */
  public static AlsFactorizedModel load(String path) {
    double regParam = SparkSession.active().read().parquet(path + "/regParam").first().getDouble(0);
    return new AlsFactorizedModel(ALSModel.load(path + "/als"), regParam);
  }

  @Override
  public String toString() {
    return "AlsFactorizedModel(" + als.uid() + ", rank=" + als.rank() + ", regParam=" + regParam + ")";
  }
}
