package dev.sparkrec.fia;

import static org.apache.spark.sql.functions.rand;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.ml.EmbeddingEstimator;
import dev.sparkrec.ml.TableVocabulary;
import dev.sparkrec.nn.embedding.BlockDimensions;
import dev.sparkrec.nn.embedding.FeatureBlocks;
import dev.sparkrec.nn.embedding.MixedDimensionLayout;
import dev.sparkrec.testing.CfTestData;
import dev.sparkrec.testing.EmbeddingSeamContract;
import dev.sparkrec.testing.SparkTestSession;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** MatrixFactorization's embedding seam: the contract, and full factor tables for the factors and influence. */
class MatrixFactorizationEmbeddingSeamTest extends EmbeddingSeamContract<MatrixFactorizationModel> {

  static final StructType COUNTING = new StructType()
      .add("user", DataTypes.IntegerType).add("item", DataTypes.IntegerType).add("rating", DataTypes.FloatType)
      .add(VALIDATION, DataTypes.BooleanType);

  /** Users −2, 5, 10 (indices 0-2) and items 3, 7 (indices 0, 1); the last row is a validation row. */
  static Dataset<Row> countingRows() {
    List<Row> rows = List.of(
        RowFactory.create(10, 7, 4f, false),
        RowFactory.create(-2, 7, 3f, false),
        RowFactory.create(10, 3, 5f, false),
        RowFactory.create(5, 3, 2f, false),
        RowFactory.create(10, 7, 4f, false),
        RowFactory.create(5, 7, 1f, true));
    return SparkTestSession.get().createDataFrame(rows, COUNTING);
  }

  static final long[] USER_COUNTS = {1, 1, 3};
  static final long[] ITEM_COUNTS = {2, 3};

  static Dataset<Row> ratings() {
    return CfTestData.ratings(1).withColumn(VALIDATION, rand(3).lt(0.2));
  }

  private static MatrixFactorization mf(String validationIndicatorCol) {
    MatrixFactorization mf = new MatrixFactorization().setRank(16).setMaxIter(3).setStepSize(0.02).setBatchSize(32)
        .setSeed(5);
    return validationIndicatorCol == null ? mf : mf.setValidationIndicatorCol(validationIndicatorCol);
  }

  @Override
  protected EmbeddingEstimator<MatrixFactorizationModel> newEstimator(String validationIndicatorCol) {
    return mf(validationIndicatorCol);
  }

  @Override
  protected Dataset<Row> trainingData() {
    return ratings();
  }

  @Override
  protected Dataset<Row> countingData() {
    return countingRows();
  }

  @Override
  protected Map<String, long[]> expectedCounts() {
    Map<String, long[]> counts = new LinkedHashMap<>();
    counts.put(MatrixFactorizationNetwork.USER_FACTORS, USER_COUNTS);
    counts.put(MatrixFactorizationNetwork.ITEM_FACTORS, ITEM_COUNTS);
    return counts;
  }

  @Override
  protected String predictionCol() {
    return "prediction";
  }

  @Override
  protected MatrixFactorizationModel load(String path) {
    return MatrixFactorizationModel.load(path);
  }

  @Override
  protected Map<String, float[]> heldParameters(MatrixFactorizationModel model) {
    return model.data().parameters();
  }

  @Test
  void factorsAreZeroPaddedAndInfluenceExplainsTheMixedModel() {
    Dataset<Row> data = trainingData();
    MatrixFactorization mf = mf(null);
    MixedDimensionLayout layout = mixed(mf.embeddingVocabularies(data));
    MatrixFactorizationModel model = mf.fitWithEmbeddings(data, layout, null);
    assertEquals(16, model.rank());

    FeatureBlocks users = layout.tables().get(MatrixFactorizationNetwork.USER_FACTORS).blocks();
    Map<Integer, float[]> factors = CfTestData.arrays(model.userFactors(), "features");
    int[] ids = model.userIds();
    for (int r = 0; r < ids.length; r++) {
      float[] p = factors.get(ids[r]);
      assertEquals(16, p.length);
      int width = new int[] {16, 8, 1}[users.blockOf(r)];
      for (int j = width; j < 16; j++) {
        assertEquals(0f, p[j], "user " + ids[r] + " beyond its block's width " + width);
      }
      assertTrue(p[0] != 0f, "user " + ids[r] + " keeps its first dimension");
    }

    Dataset<Row> head = data.select("user", "item").limit(3);
    Dataset<Row> pairs = SparkTestSession.get().createDataFrame(head.collectAsList(), head.schema());
    List<Row> predicted = model.transform(pairs).orderBy("user", "item").collectAsList();
    List<Row> explained = new InfluenceExplainer().setModel(model).setTrainingRatings(data.drop(VALIDATION))
        .setTopK(2).transform(pairs).orderBy("user", "item").collectAsList();
    assertEquals(predicted.size(), explained.size());
    for (int k = 0; k < predicted.size(); k++) {
      assertEquals(predicted.get(k).getFloat(2), explained.get(k).getDouble(2), 1e-4, "the explained prediction");
      assertEquals(2, explained.get(k).getList(3).size());
    }
  }

  /**
   * Mixed dimensions that keep every dimension of every block, started from the uniform network's initial tables,
   * train the uniform model bit for bit: the block tables, their lookups, gradients and Adam steps add nothing of their
   * own, so a DNIS retrain differs from the uniform model only in its dimensions and its random draws.
   */
  @Test
  void mixedDimensionsKeepingEveryDimensionTrainTheUniformModelFromItsInitialTables() {
    Dataset<Row> data = trainingData();
    MatrixFactorization mf = mf(VALIDATION);
    MatrixFactorizationModel uniform = mf.fit(data);
    MatrixFactorizationNetwork trained = (MatrixFactorizationNetwork) uniform.network();
    Map<String, float[]> initial = new MatrixFactorizationNetwork(trained.config()).parameterValues();
    Map<String, BlockDimensions> dims = new LinkedHashMap<>();
    Map<String, float[]> tables = new LinkedHashMap<>();
    for (TableVocabulary v : mf.embeddingVocabularies(data)) {
      dims.put(v.table(), new BlockDimensions(thirds(v.rows()), new int[] {16, 16, 16}));
      tables.put(v.table(), initial.get(v.table()));
    }
    MatrixFactorizationModel mixed = mf.fitWithEmbeddings(data, new MixedDimensionLayout(dims, tables), null);

    assertEquals(uniform.embeddingParameterCount(), mixed.embeddingParameterCount());
    Map<String, float[]> expected = trained.parameterValues();
    Map<String, float[]> actual = ((MatrixFactorizationNetwork) mixed.network()).parameterValues();
    assertEquals(expected.keySet(), actual.keySet());
    expected.forEach((name, values) -> assertArrayEquals(values, actual.get(name), name));
    assertEquals(predictions(uniform, data), predictions(mixed, data));
    // Without the initial tables the blocks draw their own entries: another model.
    MatrixFactorizationModel drawn = mf.fitWithEmbeddings(data, new MixedDimensionLayout(dims), null);
    assertFalse(Arrays.equals(expected.get(MatrixFactorizationNetwork.USER_FACTORS),
        ((MatrixFactorizationNetwork) drawn.network()).parameterValues().get(MatrixFactorizationNetwork.USER_FACTORS)));
  }

  @Test
  void aTablePrunedToNoDimensionsStillScores() {
    Dataset<Row> data = trainingData();
    MatrixFactorization mf = mf(null);
    Map<String, BlockDimensions> dims = new LinkedHashMap<>();
    for (TableVocabulary v : mf.embeddingVocabularies(data)) {
      FeatureBlocks blocks = new FeatureBlocks(2, new int[v.rows()]); // every row in block 0; block 1 empty
      boolean users = v.table().equals(MatrixFactorizationNetwork.USER_FACTORS);
      dims.put(v.table(), new BlockDimensions(blocks, new int[] {users ? 0 : 4, 0}));
    }
    MatrixFactorizationModel model = mf.fitWithEmbeddings(data, new MixedDimensionLayout(dims), null);
    assertEquals(0, model.embeddingParameterCount() - 4L * model.itemIds().length, "only the item table stores");
    for (Row r : model.transform(data).select("prediction").collectAsList()) {
      assertTrue(Float.isFinite(r.getFloat(0)), "biases alone still predict");
    }
  }

  /**
   * A mixed-dimension model holds, and broadcasts to the executors, its trained blocks only: the full tables that
   * scoring, recommendations and the factor tables read are derived where they are read, and never serialized.
   */
  @Test
  void aMixedModelHoldsAndShipsOnlyItsBlocks() throws IOException {
    Dataset<Row> data = trainingData();
    int rank = 128; // wide enough that the full tables outweigh the ids and the layout
    MatrixFactorization mf = mf(null).setRank(rank);
    Map<String, BlockDimensions> dims = new LinkedHashMap<>();
    long fullEntries = 0;
    for (TableVocabulary v : mf.embeddingVocabularies(data)) {
      dims.put(v.table(), new BlockDimensions(thirds(v.rows()), new int[] {1, 1, 1}));
      fullEntries += (long) v.rows() * v.dim();
    }
    MatrixFactorizationModel mixed = mf.fitWithEmbeddings(data, new MixedDimensionLayout(dims), null);
    MatrixFactorizationModel uniform = mf.fit(data);
    long fullBytes = 4 * fullEntries;
    assertTrue(serializedBytes(uniform.data().forExecutors()) > fullBytes, "the uniform model ships its tables");
    long shipped = serializedBytes(mixed.data().forExecutors());
    assertTrue(shipped < fullBytes / 4, "the mixed model ships " + shipped + " bytes, its full tables hold "
        + fullBytes);
    assertTrue(serializedBytes(mixed.data()) < fullBytes / 4, "the fitted model holds its blocks only");

    // scored, recommended and read as factors from the blocks; the full tables derived here stay out of what ships
    long scored = mixed.transform(data).where("isnan(prediction)").count();
    assertEquals(0, scored);
    assertEquals(mixed.userIds().length, mixed.recommendForAllUsers(2).count());
    Map<Integer, float[]> factors = CfTestData.arrays(mixed.userFactors(), "features");
    float[] full = mixed.data().parameters().get(MatrixFactorizationNetwork.USER_FACTORS);
    int row = Arrays.binarySearch(mixed.userIds(), factors.keySet().iterator().next());
    assertArrayEquals(Arrays.copyOfRange(full, row * rank, (row + 1) * rank), factors.get(mixed.userIds()[row]));
    assertTrue(serializedBytes(mixed.data().forExecutors()) < fullBytes / 4, "after the driver derived its tables");
    assertTrue(serializedBytes(mixed.data()) < fullBytes / 4, "the model after the driver derived its tables");
  }

  private static long serializedBytes(Object o) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.size();
  }
}
