package dev.sparkrec.afn;

import static org.apache.spark.sql.functions.rand;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.ml.EmbeddingEstimator;
import dev.sparkrec.ml.TableVocabulary;
import dev.sparkrec.nn.embedding.MixedDimensionLayout;
import dev.sparkrec.testing.EmbeddingSeamContract;
import dev.sparkrec.testing.SparkTestSession;
import dev.sparkrec.testing.TinyCtrData;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** AFN's and AFN+'s embedding seam: the contract on AFN, AFN+'s two tables, cross features of mixed dimensions. */
class AfnEmbeddingSeamTest extends EmbeddingSeamContract<AFNModel> {

  private static AFN afn(String validationIndicatorCol) {
    AFN afn = new AFN().setEmbeddingDim(16).setLogNeurons(4).setHiddenLayers(8).setDnnHiddenLayers(8)
        .setBatchSize(64).setMaxIter(3).setStepSize(0.01).setSeed(7);
    return validationIndicatorCol == null ? afn : afn.setValidationIndicatorCol(validationIndicatorCol);
  }

  @Override
  protected EmbeddingEstimator<AFNModel> newEstimator(String validationIndicatorCol) {
    return afn(validationIndicatorCol);
  }

  @Override
  protected Dataset<Row> trainingData() {
    return TinyCtrData.generate(SparkTestSession.get(), 3, 0, 600, 2).withColumn(VALIDATION, rand(5).lt(0.2));
  }

  /** Ids 0-4 in 2 fields; the last row is a validation row. */
  @Override
  protected Dataset<Row> countingData() {
    StructType schema = new StructType()
        .add("featureIds", DataTypes.createArrayType(DataTypes.IntegerType))
        .add("featureValues", DataTypes.createArrayType(DataTypes.FloatType))
        .add("label", DataTypes.DoubleType)
        .add(VALIDATION, DataTypes.BooleanType);
    List<Row> rows = List.of(
        RowFactory.create(new Integer[] {0, 3}, new Float[] {1f, 1f}, 1.0, false),
        RowFactory.create(new Integer[] {1, 3}, new Float[] {1f, 1f}, 0.0, false),
        RowFactory.create(new Integer[] {0, 4}, new Float[] {1f, 1f}, 1.0, false),
        RowFactory.create(new Integer[] {2, 4}, new Float[] {1f, 1f}, 0.0, true));
    return SparkTestSession.get().createDataFrame(rows, schema);
  }

  @Override
  protected Map<String, long[]> expectedCounts() {
    return Map.of(AfnNetwork.EMBEDDING, new long[] {2, 1, 0, 2, 1});
  }

  @Override
  protected String predictionCol() {
    return "probability";
  }

  @Override
  protected AFNModel load(String path) {
    return AFNModel.load(path);
  }

  @Override
  protected Map<String, float[]> heldParameters(AFNModel model) {
    return model.heldParameters();
  }

  @Test
  void afnPlusCountsBothTablesAndTrainsThemInMixedDimensions() {
    AFN plus = afn(VALIDATION).setEnsemble(true);
    List<TableVocabulary> counted = plus.embeddingVocabularies(countingData());
    assertEquals(List.of(AfnNetwork.EMBEDDING, AfnNetwork.DNN_EMBEDDING),
        counted.stream().map(TableVocabulary::table).toList());
    for (TableVocabulary v : counted) {
      assertArrayEquals(new long[] {2, 1, 0, 2, 1}, v.counts(), v.table());
    }

    Dataset<Row> data = trainingData();
    MixedDimensionLayout layout = mixed(plus.embeddingVocabularies(data));
    AFNModel model = plus.fitWithEmbeddings(data, layout, null);
    assertEquals(storedEntries(layout), model.embeddingParameterCount());
    Map<String, float[]> tables = model.embeddingParameters();
    assertEquals(6, tables.size(), tables.keySet().toString());
    assertTrue(tables.containsKey(AfnNetwork.DNN_EMBEDDING + ".block2"), tables.keySet().toString());
    assertEquals(data.count(), predictions(model, data).size());
  }

  @Test
  void crossFeaturesReadTheZeroPaddedTable() {
    Dataset<Row> data = trainingData();
    AFN afn = afn(null);
    AFNModel model = afn.fitWithEmbeddings(data, mixed(afn.embeddingVocabularies(data)), null);
    List<Row> ranked = model.crossFeatures(data, 2).collectAsList();
    assertEquals(2, ranked.size());
    for (Row row : ranked) {
      assertTrue(Double.isFinite(row.getDouble(2)), row.toString());
    }
  }
}
