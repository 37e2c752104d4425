package dev.sparkrec.fia;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
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
 */
public final class AlsFactorizedModel implements FactorizedModel, MLWritable {

  private final ALSModel als;
  private final double regParam;

  /** {@code als} fitted with explicit feedback ({@code implicitPrefs = false}) and {@code regParam} (≥ 0). */
  public AlsFactorizedModel(ALSModel als, double regParam) {
    if (als == null) {
      throw new IllegalArgumentException("an ALSModel is required");
    }
    if (!(regParam >= 0) || Double.isInfinite(regParam)) {
      throw new IllegalArgumentException("regParam must be a finite number >= 0, got " + regParam);
    }
    this.als = als;
    this.regParam = regParam;
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
