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
 * {@code crossFeatures}, measured on the test rows, names the planted field combinations, each with its own number
 * of fields, among its most important neurons.
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

    // Measured on the test rows, the most important neurons name the planted crosses. AFN spreads each planted
    // cross over several neurons that also carry some of other fields, so a neuron rarely lists exactly a planted
    // field set; what holds: among the top 10 of 24 neurons, the two largest shares of some neuron are C0·C1 and
    // of another two fields of C2·C3·C4; most listed fields (share > 0.1) belong to a planted cross (C0..C4, 5 of
    // 8 fields); and neurons are listed with as many fields as they use, not a fixed count.
    Set<String> secondOrder = Set.of("C0", "C1");
    Set<String> thirdOrder = Set.of("C2", "C3", "C4");
    List<Row> top = afn.crossFeatures(test, 10).collectAsList();
    Set<Set<String>> leadingPairs = new HashSet<>();
    Set<Integer> fieldCounts = new HashSet<>();
    int exact = 0;
    int plantedFields = 0;
    int listedFields = 0;
    StringBuilder report = new StringBuilder();
    for (Row row : top) {
      List<String> names = row.getList(3);
      fieldCounts.add(names.size());
      if (names.size() >= 2) {
        leadingPairs.add(Set.of(names.get(0), names.get(1)));
      }
      if (new HashSet<>(names).equals(secondOrder) || new HashSet<>(names).equals(thirdOrder)) {
        exact++;
      }
      for (String name : names) {
        listedFields++;
        if (secondOrder.contains(name) || thirdOrder.contains(name)) {
          plantedFields++;
        }
      }
      report.append(String.format("%n  #%d neuron %d importance %.5f fields %s orders %s shares %s", row.getInt(0),
          row.getInt(1), row.getDouble(2), row.getList(3), row.getList(4), row.getList(5)));
    }
    org.slf4j.LoggerFactory.getLogger(AfnPlantedCrossTest.class).info("planted crosses: {} of {} listed fields "
        + "are planted, {} of the top 10 neurons list exactly a planted cross, field counts {}{}", plantedFields,
        listedFields, exact, fieldCounts, report);
    assertTrue(leadingPairs.contains(secondOrder), "a top neuron's two largest shares are C0·C1:" + report);
    assertTrue(leadingPairs.stream().anyMatch(thirdOrder::containsAll),
        "a top neuron's two largest shares are two fields of C2·C3·C4:" + report);
    assertTrue(plantedFields >= 0.75 * listedFields,
        plantedFields + " of " + listedFields + " listed fields belong to planted crosses (chance: 5 of 8):" + report);
    assertTrue(fieldCounts.size() >= 2, "neurons list different numbers of fields, got counts " + fieldCounts
        + ":" + report);
    train.unpersist();
    test.unpersist();
  }
}
