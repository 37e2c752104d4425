package dev.sparkrec.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.embedding.FeatureBlocks;
import dev.sparkrec.nn.embedding.SoftSelectionLayout;
import dev.sparkrec.nn.embedding.SoftSelectionUpdate;
import dev.sparkrec.nn.optim.Adam;
import dev.sparkrec.testing.SparkTestSession;
import dev.sparkrec.testing.TinyCtrData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The trainer's DNIS mode: warm start with the selection fixed, then training batches step the model and
 * validation batches step α. On data where only field 0 carries signal, the search keeps field 0's dimensions and
 * shrinks the noise fields'.
 */
class TrainerDimensionSearchTest {

  private static final int FIELDS = TinyCtrData.FIELDS;
  private static final int CARD = TinyCtrData.CARDINALITY;
  private static final int DIM = 4;

  /** Field {@code f}'s 25 ids form block {@code f}. */
  private static final FeatureBlocks BLOCKS;

  static {
    int[] blockOfRow = new int[TinyCtrData.VOCABULARY];
    for (int id = 0; id < blockOfRow.length; id++) {
      blockOfRow[id] = id / CARD;
    }
    BLOCKS = new FeatureBlocks(FIELDS, blockOfRow);
  }

  /** Rows whose label depends on field 0's id only; fields 1..3 are noise. */
  private static Dataset<Row> data(SparkSession spark, long seed, int rows) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Row> out = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      Integer[] ids = new Integer[FIELDS];
      Float[] values = new Float[FIELDS];
      for (int f = 0; f < FIELDS; f++) {
        ids[f] = f * CARD + random.nextInt(CARD);
        values[f] = 1f;
      }
      double logit = 3.0 * Math.sin(ids[0]);
      double label = random.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1.0 : 0.0;
      out.add(RowFactory.create(ids, values, label, 1.0));
    }
    return spark.createDataFrame(out, TinyCtrData.SCHEMA).repartition(2);
  }

  private static TrainingConfig config(DimensionSearch search) {
    return TrainingConfig.builder().maxEpochs(6).batchSize(64).learningRate(0.05).seed(5)
        .optimizerFactory(lr -> new Adam(lr)).numPartitions(2).dimensionSearch(search).build();
  }

  private static final DimensionSearch SEARCH =
      new DimensionSearch(List.of("emb.alpha"), 2, new SoftSelectionUpdate(0.01, 1e-3));

  private static TrainingResult search(SparkSession spark) {
    ModelFactory model =
        TinyCtrModel.factory(TinyCtrData.VOCABULARY, FIELDS, DIM, 11, new SoftSelectionLayout(Map.of("emb", BLOCKS)));
    return new Trainer(model, config(SEARCH)).fit(data(spark, 1, 3000), data(spark, 2, 1000), ExampleColumns.DEFAULT);
  }

  @Test
  void theSearchKeepsTheInformativeFieldsDimensionsAndShrinksTheNoise() {
    SparkSession spark = SparkTestSession.get();
    TrainingResult result = search(spark);
    float[] alpha = result.bestParameters().get("emb.alpha");
    double[] blockMean = new double[FIELDS];
    boolean moved = false;
    for (int b = 0; b < FIELDS; b++) {
      for (int j = 0; j < DIM; j++) {
        float a = alpha[b * DIM + j];
        assertTrue(a >= 0 && a <= 1, "α in [0, 1], got " + a);
        moved |= a != 1f;
        blockMean[b] += a / DIM;
      }
    }
    assertTrue(moved, "the search moved α");
    for (int b = 1; b < FIELDS; b++) {
      assertTrue(blockMean[0] > blockMean[b] + 0.2, "field 0 keeps more than noise field " + b + ": "
          + java.util.Arrays.toString(blockMean));
    }
    assertEquals(6, result.history().size());
    assertTrue(result.bestEpoch() > SEARCH.warmStartEpochs(), "the result is a search epoch's");

    assertEquals(TrainFixtures.hash(result.bestParameters()), TrainFixtures.hash(search(spark).bestParameters()),
        "same seed and data, same search");
  }

  @Test
  void aSearchNeedsValidationRowsAndItsSelectionParameters() {
    SparkSession spark = SparkTestSession.get();
    ModelFactory searched =
        TinyCtrModel.factory(TinyCtrData.VOCABULARY, FIELDS, DIM, 11, new SoftSelectionLayout(Map.of("emb", BLOCKS)));
    IllegalArgumentException noValidation = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(searched, config(SEARCH)).fit(data(spark, 1, 300), null, ExampleColumns.DEFAULT));
    assertTrue(noValidation.getMessage().contains("validation"), noValidation.getMessage());

    ModelFactory plain = TinyCtrModel.factory(TinyCtrData.VOCABULARY, FIELDS, DIM, 11);
    Exception missing = assertThrows(Exception.class, () -> new Trainer(plain, config(SEARCH))
        .fit(data(spark, 1, 300), data(spark, 2, 100), ExampleColumns.DEFAULT));
    assertTrue(String.valueOf(missing.getMessage()).contains("emb.alpha"), missing.getMessage());
  }
}
