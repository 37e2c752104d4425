package dev.sparkrec.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparkrec.testing.SparkTestSession;
import dev.sparkrec.testing.TinyCtrData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Blocks hold the rows in order, or redistributed by content; every invalid row fails naming the column and the
 * value.
 */
class ExampleDataTest {

  private static final StructType SCHEMA = new StructType()
      .add("featureIds", DataTypes.createArrayType(DataTypes.IntegerType, true), true)
      .add("featureValues", DataTypes.createArrayType(DataTypes.FloatType, true), true)
      .add("label", DataTypes.DoubleType, true)
      .add("weight", DataTypes.DoubleType, true);

  private final SparkSession spark = SparkTestSession.get();

  private static Row row(Integer[] ids, Float[] values, Double label, Double weight) {
    return RowFactory.create(ids, values, label, weight);
  }

  private static Row valid(int first) {
    return row(new Integer[] {first, first + 1, first + 2}, new Float[] {1f, 0.5f, 2f}, (double) (first % 2), 1.0);
  }

  private Dataset<Row> data(Row... rows) {
    return spark.createDataFrame(Arrays.asList(rows), SCHEMA).coalesce(1);
  }

  private String error(Row bad) {
    return assertThrows(IllegalArgumentException.class, () -> ExampleData.fromDataFrame(
        data(valid(1), bad), TrainFixtures.COLUMNS, 16)).getMessage();
  }

  @Test
  void blocksHoldTheRowsInOrder() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(row(new Integer[] {i, 100 + i, 200 + i}, new Float[] {(float) i, 1f, 2f}, (double) (i % 2), 1.0 + i));
    }
    ExampleData data = ExampleData.fromDataFrame(data(rows.toArray(new Row[0])), TrainFixtures.COLUMNS, 4);
    try {
      assertEquals(3, data.fields());
      assertArrayEquals(new long[] {10}, data.partitionRows());
      List<ExampleBlock> blocks = data.blocks().collect();
      assertEquals(List.of(4, 4, 2), blocks.stream().map(ExampleBlock::rows).toList());
      ExampleBlock last = blocks.get(2);
      assertArrayEquals(new int[] {8, 108, 208, 9, 109, 209}, last.ids());
      assertArrayEquals(new float[] {8f, 1f, 2f, 9f, 1f, 2f}, last.values());
      assertArrayEquals(new float[] {0f, 1f}, last.labels());
      assertArrayEquals(new float[] {9f, 10f}, last.weights());
    } finally {
      data.unpersist();
    }
    ExampleData noValuesNoWeights = ExampleData.fromDataFrame(data(valid(1)), new ExampleColumns("featureIds", null,
        "label", null), 4);
    ExampleBlock block = noValuesNoWeights.blocks().first();
    assertNull(block.values());
    assertNull(block.weights());
    noValuesNoWeights.unpersist();
  }

  @Test
  void redistributedBlocksDependOnTheRowsAndTheSeedOnly() {
    // 200 rows with duplicates, given in 1, 3 and 7 partitions and as a union of two DataFrames.
    Dataset<Row> rows = TinyCtrData.generate(spark, TrainFixtures.DATA_SEED, 0, 150, 1)
        .union(TinyCtrData.generate(spark, TrainFixtures.DATA_SEED, 100, 50, 1));
    List<Dataset<Row>> inputs = List.of(rows.repartition(1), rows.repartition(3), rows.repartition(7),
        TinyCtrData.generate(spark, TrainFixtures.DATA_SEED, 100, 50, 2)
            .union(TinyCtrData.generate(spark, TrainFixtures.DATA_SEED, 0, 150, 3)));
    List<String> expected = null;
    for (Dataset<Row> input : inputs) {
      ExampleData data = ExampleData.fromDataFrame(input, TrainFixtures.COLUMNS, 16, TinyCtrData.FIELDS, 5, 3);
      try {
        assertEquals(5, data.numPartitions());
        assertEquals(200, data.rows());
        List<String> content = describe(data);
        if (expected == null) {
          expected = content;
        }
        assertEquals(expected, content, "blocks of " + input.rdd().getNumPartitions() + " input partitions");
      } finally {
        data.unpersist();
      }
    }
    ExampleData otherSeed = ExampleData.fromDataFrame(rows, TrainFixtures.COLUMNS, 16, TinyCtrData.FIELDS, 5, 4);
    try {
      assertNotEquals(expected, describe(otherSeed), "the seed drives the partitioning");
    } finally {
      otherSeed.unpersist();
    }
    assertEquals("numPartitions must be >= 1, got 0", assertThrows(IllegalArgumentException.class,
        () -> ExampleData.fromDataFrame(rows, TrainFixtures.COLUMNS, 16, TinyCtrData.FIELDS, 0, 3)).getMessage());
  }

  /** Every partition's blocks, in order, as text. */
  private static List<String> describe(ExampleData data) {
    return data.blocks().glom().collect().stream().map(blocks -> blocks.stream()
        .map(b -> Arrays.toString(b.ids()) + Arrays.toString(b.values()) + Arrays.toString(b.labels())
            + Arrays.toString(b.weights()))
        .toList().toString()).toList();
  }

  @Test
  void rowsWithAnotherNumberOfIdsOrValuesFail() {
    assertEquals("Column 'featureIds' must hold 3 entries in every row, as many as the training data's first row has "
        + "ids, but a row holds 2: [4, 5].", error(row(new Integer[] {4, 5}, new Float[] {1f, 1f}, 1.0, 1.0)));
    assertEquals("Column 'featureValues' must hold 3 entries in every row, as many as the training data's first row "
        + "has ids, but a row (featureIds [4, 5, 6]) holds 2: [1.0, 2.0].",
        error(row(new Integer[] {4, 5, 6}, new Float[] {1f, 2f}, 1.0, 1.0)));
  }

  @Test
  void nullArraysNegativeOrNullIdsAndNonFiniteValuesFail() {
    assertEquals("Column 'featureIds' must not be null; every row needs 3 entries, but a row is null.",
        error(row(null, new Float[] {1f, 1f, 1f}, 1.0, 1.0)));
    assertEquals("Column 'featureValues' must not be null; every row needs 3 entries, but a row (featureIds "
        + "[4, 5, 6]) is null.", error(row(new Integer[] {4, 5, 6}, null, 1.0, 1.0)));
    assertEquals("Column 'featureIds' must hold non-negative ids, not null, but a row holds -4 in [-4, 5, 6].",
        error(row(new Integer[] {-4, 5, 6}, new Float[] {1f, 1f, 1f}, 1.0, 1.0)));
    assertEquals("Column 'featureIds' must hold non-negative ids, not null, but a row holds null in [4, null, 6].",
        error(row(new Integer[] {4, null, 6}, new Float[] {1f, 1f, 1f}, 1.0, 1.0)));
    assertEquals("Column 'featureValues' must hold finite values, but a row (featureIds [4, 5, 6]) holds NaN in "
        + "[1.0, NaN, 1.0].", error(row(new Integer[] {4, 5, 6}, new Float[] {1f, Float.NaN, 1f}, 1.0, 1.0)));
  }

  @Test
  void labelsOtherThanZeroOrOneFail() {
    assertEquals("Column 'label' must be 0 or 1, but a row (featureIds [4, 5, 6]) has 2.0.",
        error(row(new Integer[] {4, 5, 6}, new Float[] {1f, 1f, 1f}, 2.0, 1.0)));
    assertEquals("Column 'label' must be 0 or 1, but a row (featureIds [4, 5, 6]) has null.",
        error(row(new Integer[] {4, 5, 6}, new Float[] {1f, 1f, 1f}, null, 1.0)));
  }

  @Test
  void negativeNaNOrNullWeightsFail() {
    assertEquals("Column 'weight' must be a finite number >= 0, but a row (featureIds [4, 5, 6]) has -1.0.",
        error(row(new Integer[] {4, 5, 6}, new Float[] {1f, 1f, 1f}, 1.0, -1.0)));
    assertEquals("Column 'weight' must be a finite number >= 0, but a row (featureIds [4, 5, 6]) has NaN.",
        error(row(new Integer[] {4, 5, 6}, new Float[] {1f, 1f, 1f}, 1.0, Double.NaN)));
    assertEquals("Column 'weight' must be a finite number >= 0, but a row (featureIds [4, 5, 6]) has null.",
        error(row(new Integer[] {4, 5, 6}, new Float[] {1f, 1f, 1f}, 1.0, null)));
  }

  @Test
  void wrongTypesMissingColumnsAndEmptyDataFail() {
    Dataset<Row> strings = data(valid(1)).withColumn("featureIds",
        org.apache.spark.sql.functions.col("featureIds").cast("array<string>"));
    assertEquals("Column 'featureIds' must be of type array<int> but is array<string>.",
        assertThrows(IllegalArgumentException.class,
            () -> ExampleData.fromDataFrame(strings, TrainFixtures.COLUMNS, 16)).getMessage());
    assertEquals("Column 'weight' does not exist. Available columns: featureIds, featureValues, label.",
        assertThrows(IllegalArgumentException.class, () -> ExampleData.fromDataFrame(
            data(valid(1)).drop("weight"), TrainFixtures.COLUMNS, 16)).getMessage());
    assertEquals("The training data has no rows with a non-null 'featureIds' column.",
        assertThrows(IllegalArgumentException.class, () -> ExampleData.fromDataFrame(
            data(valid(1)).limit(0), TrainFixtures.COLUMNS, 16)).getMessage());
  }

  @Test
  void validationDataMustHaveTheTrainingFieldCount() {
    Dataset<Row> fourFields = data(row(new Integer[] {1, 2, 3, 4}, new Float[] {1f, 1f, 1f, 1f}, 1.0, 1.0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(TrainFixtures.model(), TrainingConfig.builder().maxEpochs(1).build())
            .fit(data(valid(1), valid(4)), fourFields, TrainFixtures.COLUMNS));
    assertEquals("Column 'featureIds' must hold 3 entries in every row, as many as the training data's first row "
        + "has ids, but a row holds 4: [1, 2, 3, 4].", e.getMessage());
  }
  @Test
  void sequencesOfAnyLengthTravelRaggedIntoBlocksAndBatches() {
    StructType schema = new StructType()
        .add("featureIds", DataTypes.createArrayType(DataTypes.IntegerType, true), true)
        .add("label", DataTypes.DoubleType, true)
        .add("history", DataTypes.createArrayType(DataTypes.IntegerType, true), true);
    List<Row> rows = List.of(RowFactory.create(new Integer[] {1}, 1.0, new Integer[] {7, 8, 9}),
        RowFactory.create(new Integer[] {2}, 0.0, new Integer[0]),
        RowFactory.create(new Integer[] {3}, 1.0, new Integer[] {4}));
    ExampleColumns columns = new ExampleColumns("featureIds", null, "label", null).withSequenceCol("history");
    ExampleData data = ExampleData.fromDataFrame(spark.createDataFrame(rows, schema).coalesce(1), columns, 2);
    try {
      List<ExampleBlock> blocks = data.blocks().collect();
      assertEquals(2, blocks.size());
      assertArrayEquals(new int[] {0, 3, 3}, blocks.get(0).sequenceOffsets());
      assertArrayEquals(new int[] {7, 8, 9}, blocks.get(0).sequenceIds());
      assertArrayEquals(new int[] {0, 1}, blocks.get(1).sequenceOffsets());
      Batch batch = new Batch(1, 1, false, false, true);
      blocks.get(1).copyRow(0, batch, 0);
      batch.setSize(1);
      assertArrayEquals(new int[] {0, 1}, batch.sequenceOffsets());
      assertEquals(4, batch.sequenceIds()[0]);
      Batch three = new Batch(3, 1, false, false, true);
      blocks.get(0).copyRow(0, three, 0);
      blocks.get(0).copyRow(1, three, 1);
      blocks.get(1).copyRow(0, three, 2);
      three.setSize(3);
      assertArrayEquals(new int[] {0, 3, 3, 4}, three.sequenceOffsets());
      assertArrayEquals(new int[] {7, 8, 9, 4}, Arrays.copyOf(three.sequenceIds(), three.sequenceLength()));
    } finally {
      data.unpersist();
    }
    List<Row> bad = List.of(RowFactory.create(new Integer[] {1}, 1.0, new Integer[] {7, -2}));
    assertEquals("Column 'history' must hold non-negative ids, not null, but a row (featureIds [1]) holds -2 at "
        + "position 1.", assertThrows(IllegalArgumentException.class, () -> ExampleData.fromDataFrame(
            spark.createDataFrame(bad, schema), columns, 2)).getMessage());
    List<Row> nulls = List.of(RowFactory.create(new Integer[] {1}, 1.0, null));
    assertEquals("Column 'history' must not be null (an empty array for no events), but a row (featureIds [1]) is "
        + "null.", assertThrows(IllegalArgumentException.class, () -> ExampleData.fromDataFrame(
            spark.createDataFrame(nulls, schema), columns, 2)).getMessage());
  }
}
