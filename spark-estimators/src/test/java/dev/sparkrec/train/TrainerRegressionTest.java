package dev.sparkrec.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.AddScalar;
import dev.sparkrec.nn.ops.GatherRows;
import dev.sparkrec.nn.ops.MseLoss;
import dev.sparkrec.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real-valued labels: validation, the RMSE metric, its checkpointing and its progress line. */
class TrainerRegressionTest {

  private static final StructType SCHEMA = new StructType()
      .add("featureIds", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
      .add("rating", DataTypes.DoubleType, true)
      .add("weight", DataTypes.DoubleType, false);
  private static final ExampleColumns COLUMNS =
      new ExampleColumns("featureIds", null, "rating", "weight").withRealValuedLabels();

  private final SparkSession spark = SparkTestSession.get();

  /** {@code prediction = offset[id] + 1}: one learned offset per id, so the RMSE follows from the parameters. */
  private static final class OffsetModel implements TrainableModel {
    private final Parameter offsets = Parameter.sparseRows("offsets", 3, 1);

    private Tensor predictions(Tape tape, Batch batch) {
      int n = batch.size();
      Tensor offset = GatherRows.apply(tape, offsets, batch.ids(), null, n, n);
      return AddScalar.apply(tape, offset, 1f); // offset[id] + 1
    }

    @Override
    public Tensor loss(Tape tape, Batch batch) {
      int n = batch.size();
      return MseLoss.apply(tape, predictions(tape, batch), Tensor.constant(batch.labels(), n), batch.weights());
    }

    @Override
    public void logits(Tape tape, Batch batch, float[] out) {
      System.arraycopy(predictions(tape, batch).data(), 0, out, 0, batch.size());
    }

    @Override
    public List<Parameter> parameters() {
      return List.of(offsets);
    }
  }

  private Dataset<Row> rows(Object[]... rows) {
    return spark.createDataFrame(Arrays.stream(rows).map(RowFactory::create).toList(), SCHEMA).coalesce(1);
  }

  private Dataset<Row> train() {
    return rows(new Object[] {new Integer[] {0}, 4.5, 1.0}, new Object[] {new Integer[] {1}, 2.0, 1.0},
        new Object[] {new Integer[] {2}, 3.25, 2.0}, new Object[] {new Integer[] {0}, 5.0, 1.0});
  }

  private Dataset<Row> validation() {
    return rows(new Object[] {new Integer[] {0}, 4.0, 1.0}, new Object[] {new Integer[] {1}, 1.0, 3.0},
        new Object[] {new Integer[] {2}, 3.0, 0.5});
  }

  private static TrainingConfig.Builder config() {
    return TrainingConfig.builder().maxEpochs(2).batchSize(2).learningRate(0.1).validationMetric(TrainingConfig.RMSE);
  }

  @Test
  void realValuedLabelsAreReadAndANaNLabelFailsNamingTheColumnAndRow() {
    ExampleData data = ExampleData.fromDataFrame(train(), COLUMNS, 16);
    try {
      assertTrue(data.realValuedLabels());
      assertEquals(List.of(4.5f, 2.0f, 3.25f, 5.0f), boxed(data.blocks().first().labels()));
    } finally {
      data.unpersist();
    }
    for (Double bad : new Double[] {Double.NaN, null, Double.POSITIVE_INFINITY}) {
      Dataset<Row> withBad =
          rows(new Object[] {new Integer[] {0}, 4.0, 1.0}, new Object[] {new Integer[] {2}, bad, 1.0});
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ExampleData.fromDataFrame(withBad, COLUMNS, 16));
      assertEquals("Column 'rating' must be a finite number, but a row (featureIds [2]) has " + bad + ".",
          e.getMessage());
    }
    IllegalArgumentException binary = assertThrows(IllegalArgumentException.class,
        () -> ExampleData.fromDataFrame(train(), COLUMNS.withBinaryLabels(), 16));
    assertEquals("Column 'rating' must be 0 or 1, but a row (featureIds [0]) has 4.5.", binary.getMessage());
    assertTrue(COLUMNS.withWeightCol(null).withFeatureValuesCol(null).withRealValuedLabels().toString()
        .endsWith("labels=real)"));
    assertTrue(new ExampleColumns("a", null, "b", null).binaryLabels());
  }

  @Test
  void realValuedLabelsWithLogLossOrAucAreRefusedBeforeTraining() {
    for (String metric : new String[] {TrainingConfig.LOGLOSS, TrainingConfig.AUC}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new Trainer(OffsetModel::new, config().validationMetric(metric).build()).fit(train(), null, COLUMNS));
      assertEquals("Column 'rating' holds real-valued labels, which validationMetric '" + metric + "' cannot score "
          + "(it needs 0/1 labels); set validationMetric to 'rmse'.", e.getMessage());
    }
  }

  @Test
  void rmseOfAHandFixture() {
    // √((1·(3−1)² + 2·(0.5−2)² + 0·9) / 3) = √((4 + 4.5) / 3)
    float[] predictions = {3f, 0.5f, 7f, 99f};
    float[] labels = {1f, 2f, 4f, 0f};
    assertEquals(Math.sqrt(8.5 / 3), Trainer.rootMeanSquaredError(predictions, labels, new float[] {1, 2, 0, 5}, 3),
        1e-12);
    assertEquals(Math.sqrt((4 + 2.25 + 9) / 3.0), Trainer.rootMeanSquaredError(predictions, labels, null, 3), 1e-12);
    assertTrue(Double.isNaN(Trainer.rootMeanSquaredError(predictions, labels, new float[] {0, 0}, 2)));
  }

  @Test
  void validationRmseIsTheWeightedRmseOfTheModelsPredictionsAndDrivesSelection() {
    TrainingResult result = new Trainer(OffsetModel::new, config().build()).fit(train(), validation(), COLUMNS);
    for (EpochReport report : result.history()) {
      assertTrue(Double.isNaN(report.validationLogLoss()) && Double.isNaN(report.validationAuc()), report.toString());
    }
    // The last epoch's parameters give the last report's RMSE: √(Σ w (offset[id] + 1 − r)² / Σ w).
    float[] o = result.finalParameters().get("offsets");
    double expected = Math.sqrt((1.0 * square(o[0] + 1 - 4.0) + 3.0 * square(o[1] + 1 - 1.0)
        + 0.5 * square(o[2] + 1 - 3.0)) / 4.5);
    EpochReport last = result.history().get(1);
    assertEquals(expected, last.validationRmse(), 1e-6);
    EpochReport first = result.history().get(0);
    assertTrue(first.isBest());
    assertEquals(last.validationRmse() < first.validationRmse(), last.isBest(), "lower is better");
    assertEquals(last.isBest() ? 2 : 1, result.bestEpoch());
  }

  @Test
  void checkpointsKeepTheValidationRmse(@TempDir Path dir) {
    TrainingConfig twoEpochs = config().checkpointDir(dir.toString()).build();
    TrainingResult original = new Trainer(OffsetModel::new, twoEpochs).fit(train(), validation(), COLUMNS);
    TrainingResult resumed = new Trainer(OffsetModel::new, twoEpochs.toBuilder().maxEpochs(3).resume(true).build())
        .fit(train(), validation(), COLUMNS);
    assertEquals(3, resumed.history().size());
    for (int e = 0; e < 3; e++) {
      double rmse = resumed.history().get(e).validationRmse();
      assertFalse(Double.isNaN(rmse), "epoch " + (e + 1));
      if (e < 2) {
        assertEquals(original.history().get(e).validationRmse(), rmse, 0.0);
      }
    }
  }

  @Test
  void theProgressLineShowsTheRmse() {
    EpochReport r = new EpochReport(3, 0.81234, Double.NaN, Double.NaN, 0.93012, 1.5, 123_456, 0.05, true);
    assertEquals("epoch 3/20  train loss 0.8123  val rmse 0.9301  1.2e5 examples/s  ETA 1m20s",
        ProgressLine.format(r, 20, 80, true));
    assertTrue(Double.isNaN(new EpochReport(1, 0, 0, 0, 0, 0, 0, false).validationRmse()));
  }

  private static double square(double x) {
    return x * x;
  }

  private static List<Float> boxed(float[] values) {
    Float[] out = new Float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return Arrays.asList(out);
  }
}
