package dev.sparkrec.afn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.data.SyntheticCtrData;
import dev.sparkrec.features.FeatureIdsToVector;
import dev.sparkrec.features.FieldEncoder;
import dev.sparkrec.features.FieldEncoderModel;
import dev.sparkrec.testing.SparkTestSession;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.FMClassifier;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * On synthetic CTR data with planted crosses of known fields and orders (a 2nd-order cross of C0·C1 and a
 * 3rd-order cross of C2·C3·C4, see {@link SyntheticCtrData}), AFN beats MLlib's FM and its
 * {@code crossFeatures} names the planted field combinations among its most influential neurons.
 */
class AfnPlantedCrossTest {

  @Test
  void afnBeatsFmAndFindsThePlantedCrosses() {
    SparkSession spark = SparkTestSession.get();
    SyntheticCtrData trainConfig = SyntheticCtrData.builder().rows(30_000).seed(11).numNumeric(0).numPartitions(2)
        .build();
    SyntheticCtrData testConfig = trainConfig.toBuilder().rows(8_000).firstRowId(1_000_000).build();
    String[] fields = new String[trainConfig.numCategorical()];
    for (int f = 0; f < fields.length; f++) {
      fields[f] = SyntheticCtrData.categoricalColumn(f);
    }
    FieldEncoderModel encoder = new FieldEncoder().setInputCols(fields).fit(trainConfig.generate(spark));
    Dataset<Row> train = encoder.transform(trainConfig.generate(spark)).cache();
    Dataset<Row> test = encoder.transform(testConfig.generate(spark)).cache();

    BinaryClassificationEvaluator auc = new BinaryClassificationEvaluator().setNumBins(0);
    double fmAuc = auc.evaluate(new Pipeline().setStages(new PipelineStage[] {
        new FeatureIdsToVector(),
        new FMClassifier().setFactorSize(8).setSolver("adamW").setStepSize(0.01).setMaxIter(100).setSeed(3)})
        .fit(train).transform(test));

    AFNModel afn = new AFN().setEmbeddingDim(6).setLogNeurons(24).setHiddenLayers(32, 32).setBatchSize(512)
        .setStepSize(0.003).setMaxIter(12).setSeed(5).fit(train);
    double afnAuc = auc.evaluate(afn.transform(test));
    org.slf4j.LoggerFactory.getLogger(AfnPlantedCrossTest.class).info("planted crosses: AFN test AUC {}, FM {}",
        afnAuc, fmAuc);
    assertTrue(afnAuc > fmAuc, "AFN test AUC " + afnAuc + " must beat FM's " + fmAuc);

    // The most influential neurons' strongest fields name the planted crosses: both combinations appear
    // among the top 10 of 24 neurons, and their fields (C0..C4, 5 of 8) fill most of the top fields.
    List<Row> top = afn.crossFeatures(10, 2).collectAsList();
    Set<Set<String>> pairs = new HashSet<>();
    int plantedFields = 0;
    for (Row row : top) {
      List<String> names = row.getList(3);
      pairs.add(new HashSet<>(names));
      for (String name : names) {
        if (Set.of("C0", "C1", "C2", "C3", "C4").contains(name)) {
          plantedFields++;
        }
      }
    }
    assertTrue(plantedFields >= 16, plantedFields + " of the top 20 fields belong to planted crosses (chance: 12.5)");
    Set<String> thirdOrder = Set.of("C2", "C3", "C4");
    assertTrue(pairs.contains(Set.of("C0", "C1")), "top neurons' field pairs " + pairs + " include C0·C1");
    assertTrue(pairs.stream().anyMatch(thirdOrder::containsAll),
        "top neurons' field pairs " + pairs + " include two fields of the C2·C3·C4 cross");
    train.unpersist();
    test.unpersist();
  }
}
