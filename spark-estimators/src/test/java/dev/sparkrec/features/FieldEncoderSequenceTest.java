package dev.sparkrec.features;

import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sequence columns: arrays of a field's values encoded with that field's vocabulary. With minCount 2 the city
 * field's ids are OOV 0 (lima, kyiv, and anything unseen), paris 1, oslo 2, rome 3 (see {@link FieldEncoderTest}).
 */
class FieldEncoderSequenceTest {

  private static final StructType SCHEMA = new StructType()
      .add("city", DataTypes.StringType)
      .add("visited", DataTypes.createArrayType(DataTypes.StringType, true));

  private static Dataset<Row> table(Row... rows) {
    return SparkTestSession.get().createDataFrame(Arrays.asList(rows), SCHEMA);
  }

  private static Dataset<Row> trips() {
    return table(
        RowFactory.create("paris", List.of("oslo", "rome")),
        RowFactory.create("paris", List.of()),
        RowFactory.create("paris", null),
        RowFactory.create("paris", List.of("paris")),
        RowFactory.create("oslo", List.of("paris", "tokyo")),
        RowFactory.create("oslo", Arrays.asList("lima", null)),
        RowFactory.create("oslo", List.of("rome", "rome", "oslo")),
        RowFactory.create("rome", List.of("oslo")),
        RowFactory.create("rome", List.of("kyiv")),
        RowFactory.create("lima", List.of("paris")),
        RowFactory.create("kyiv", List.of("rome")));
  }

  private static FieldEncoder encoder() {
    return new FieldEncoder().setInputCols("city").setMinCount(2).setSequenceCols("visited")
        .setSequenceFields("city");
  }

  private static List<List<Integer>> visitedIds(Dataset<Row> encoded) {
    return encoded.select("visitedIds").collectAsList().stream().map(r -> r.<Integer>getList(0)).toList();
  }

  @Test
  void elementsGetTheFieldsIdsUnseenAndMissingOnesItsOovIdANullArrayNone() {
    FieldEncoderModel model = encoder().fit(trips());
    Dataset<Row> encoded = model.transform(trips());
    assertEquals(model.transformSchema(trips().schema()), encoded.schema());
    assertEquals(List.of(List.of(2, 3), List.of(), List.of(), List.of(1), List.of(1, 0), List.of(0, 0),
        List.of(3, 3, 2), List.of(2), List.of(0), List.of(1), List.of(3)), visitedIds(encoded));
    // the same ids as the field's own values
    assertEquals(encoded.where("city = 'oslo'").select(expr("featureIds[0]")).first().getInt(0), 2);
  }

  @Test
  void errorNamesTheSequenceColumnTheValueAndItsPositionAndSkipDropsTheRow() {
    Dataset<Row> clean = trips().where("city IN ('paris', 'oslo', 'rome')");
    FieldEncoderModel strict = encoder().setHandleInvalid("error").fit(trips());
    Dataset<Row> tokyo = table(RowFactory.create("paris", List.of("oslo")),
        RowFactory.create("oslo", List.of("paris", "tokyo")));
    Exception e = assertThrows(Exception.class, () -> strict.transform(tokyo).collectAsList());
    String message = String.valueOf(e.getMessage()) + " " + (e.getCause() == null ? "" : e.getCause().getMessage());
    assertTrue(message.contains("Sequence column 'visited' has unseen value \"tokyo\" (not seen when the encoder "
        + "was fitted) at position 1"), message);

    FieldEncoderModel skipping = encoder().setHandleInvalid("skip").fit(trips());
    assertEquals(List.of(List.of(2, 3), List.of(), List.of(), List.of(1), List.of(3, 3, 2), List.of(2), List.of(0)),
        visitedIds(skipping.transform(clean)), "the rows with tokyo and with a null element are dropped; kyiv, "
            + "seen but rare, is the OOV id");
  }

  @Test
  void theSequenceParamsSurviveSavingAndTheOutputMayBeNamed(@TempDir Path dir) throws Exception {
    FieldEncoderModel model = encoder().setSequenceOutputCols("visitedIds").fit(trips());
    model.write().save(dir.resolve("encoder").toString());
    FieldEncoderModel loaded = FieldEncoderModel.load(dir.resolve("encoder").toString());
    assertEquals(List.of("visited"), List.of(loaded.getSequenceCols()));
    assertEquals(List.of("city"), List.of(loaded.getSequenceFields()));
    assertEquals(visitedIds(model.transform(trips())), visitedIds(loaded.transform(trips())));
  }

  @Test
  void aSequenceMustBeAnArrayOfTheFieldsKindOfAFieldBeingEncoded() {
    IllegalArgumentException notAField = assertThrows(IllegalArgumentException.class,
        () -> encoder().setSequenceFields("country").fit(trips()));
    assertTrue(notAField.getMessage().contains("sequenceFields names 'country' for sequence column 'visited', "
        + "which is not one of inputCols [city]"), notAField.getMessage());
    Dataset<Row> numbers = trips().withColumn("visited", expr("array(1.5, 2.5)"));
    IllegalArgumentException wrongKind = assertThrows(IllegalArgumentException.class,
        () -> encoder().fit(numbers));
    assertTrue(wrongKind.getMessage().contains("Sequence column 'visited' has type array<decimal(2,1)>; it must be an "
        + "array of values like field 'city' (string)"), wrongKind.getMessage());
    IllegalArgumentException counts = assertThrows(IllegalArgumentException.class,
        () -> encoder().setSequenceFields("city", "city").fit(trips()));
    assertTrue(counts.getMessage().contains("sequenceCols has 1 columns, sequenceFields 2"), counts.getMessage());
  }
}
