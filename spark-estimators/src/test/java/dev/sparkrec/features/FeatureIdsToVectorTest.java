package dev.sparkrec.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.StageContract;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class FeatureIdsToVectorTest extends StageContract {

  private static final StructType SCHEMA = new StructType()
      .add("ids", DataTypes.createArrayType(DataTypes.IntegerType))
      .add("vals", DataTypes.createArrayType(DataTypes.FloatType));

  @Override
  protected PipelineStage newStage() {
    return new FeatureIdsToVector().setFeatureIdsCol("ids").setFeatureValuesCol("vals").setNumFeatures(6)
        .setOutputCol("vec");
  }

  @Override
  protected Dataset<Row> inputData() {
    return frame(RowFactory.create(new int[] {4, 0, 2}, new float[] {0.5f, 1f, 2f}),
        RowFactory.create(new int[] {1, 5, 1}, new float[] {1f, 3f, 0.25f}));
  }

  private static Dataset<Row> frame(Row... rows) {
    List<Row> boxed = Arrays.stream(rows).map(FeatureIdsToVectorTest::box).toList();
    return spark().createDataFrame(boxed, SCHEMA);
  }

  private static Row box(Row row) {
    Object ids = row.get(0) == null ? null : Arrays.stream((int[]) row.get(0)).boxed().toArray(Integer[]::new);
    Object vals = null;
    if (row.get(1) != null) {
      float[] f = (float[]) row.get(1);
      Float[] b = new Float[f.length];
      for (int i = 0; i < f.length; i++) {
        b[i] = f[i];
      }
      vals = b;
    }
    return RowFactory.create(ids, vals);
  }

  @Test
  void sortsIdsAndAddsRepeatedOnes() {
    List<Row> out = ((FeatureIdsToVector) newStage()).transform(inputData()).select("vec").collectAsList();
    assertEquals(Vectors.sparse(6, new int[] {0, 2, 4}, new double[] {1, 2, 0.5}), out.get(0).get(0));
    assertEquals(Vectors.sparse(6, new int[] {1, 5}, new double[] {1.25, 3}), out.get(1).get(0));
  }

  @Test
  void valuesDefaultToOneWithoutValuesColumn() {
    FeatureIdsToVector stage = ((FeatureIdsToVector) newStage()).setFeatureValuesCol("");
    Vector v = (Vector) stage.transform(inputData()).select("vec").first().get(0);
    assertEquals(Vectors.sparse(6, new int[] {0, 2, 4}, new double[] {1, 1, 1}), v);
  }

  @Test
  void sizeComesFromEncoderMetadataWhenNotSet() {
    FieldEncodingMetadata encoding = new FieldEncodingMetadata(9, new String[] {"a", "b"}, new int[] {0, 4});
    Dataset<Row> in = inputData();
    Dataset<Row> tagged = in.withColumn("ids", in.col("ids"), encoding.toMetadata(in.schema().apply("ids").metadata()));
    FeatureIdsToVector stage = new FeatureIdsToVector().setFeatureIdsCol("ids").setFeatureValuesCol("vals");
    Vector v = (Vector) stage.transform(tagged).select("features").first().get(0);
    assertEquals(9, v.size());
    FieldEncodingMetadata read = FieldEncodingMetadata.of(tagged.schema().apply("ids")).orElseThrow();
    assertEquals(java.util.List.of("a", "b"), java.util.List.of(read.fieldNames()));
    assertEquals(4, read.fieldOffsets()[1]);
  }

  @Test
  void followsFieldEncoderInOnePipelineWithoutBeingToldTheSize() {
    StructType schema = new StructType().add("city", DataTypes.StringType).add("label", DataTypes.DoubleType);
    Dataset<Row> data = spark().createDataFrame(Arrays.asList(
        RowFactory.create("oslo", 1.0), RowFactory.create("paris", 0.0), RowFactory.create("oslo", 1.0),
        RowFactory.create("rome", 0.0)), schema);
    org.apache.spark.ml.PipelineModel model = new org.apache.spark.ml.Pipeline().setStages(new PipelineStage[] {
        new FieldEncoder().setInputCols("city"),
        new FeatureIdsToVector(),
        new org.apache.spark.ml.classification.LogisticRegression().setMaxIter(5)}).fit(data);
    FieldEncoderModel encoder = (FieldEncoderModel) model.stages()[0];
    Dataset<Row> out = model.transform(data);
    assertEquals(encoder.numFeatures(), ((Vector) out.select("features").first().get(0)).size());
    assertEquals(encoder.numFeatures(),
        FieldEncodingMetadata.of(out.schema().apply("featureIds")).orElseThrow().numFeatures());
    assertEquals(4, out.count());
  }

  @Test
  void idOutsideRangeFailsNamingColumnAndId() {
    Dataset<Row> bad = frame(RowFactory.create(new int[] {1, 6}, new float[] {1f, 1f}));
    SparkException e = assertThrows(SparkException.class, () -> ((FeatureIdsToVector) newStage()).transform(bad).collect());
    String message = rootMessage(e);
    assertTrue(message.contains("'ids'") && message.contains("feature id 6"), message);
  }

  @Test
  void nullArrayFailsNamingColumn() {
    Dataset<Row> bad = frame(RowFactory.create(null, new float[] {1f}));
    SparkException e = assertThrows(SparkException.class, () -> ((FeatureIdsToVector) newStage()).transform(bad).collect());
    assertTrue(rootMessage(e).contains("'ids' has a null feature array"), rootMessage(e));
  }

  @Test
  void missingSizeAndWrongTypesFailClearly() {
    IllegalArgumentException noSize = assertThrows(IllegalArgumentException.class,
        () -> new FeatureIdsToVector().setFeatureIdsCol("ids").setFeatureValuesCol("vals").transform(inputData()));
    assertTrue(noSize.getMessage().contains("numFeatures") && noSize.getMessage().contains("'ids'"),
        noSize.getMessage());
    IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
        () -> ((FeatureIdsToVector) newStage()).setFeatureIdsCol("vals").transformSchema(SCHEMA));
    assertTrue(wrongType.getMessage().contains("'vals'") && wrongType.getMessage().contains("array<int>"),
        wrongType.getMessage());
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
