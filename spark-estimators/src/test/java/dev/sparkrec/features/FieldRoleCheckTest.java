package dev.sparkrec.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.StageContract;
import java.util.List;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class FieldRoleCheckTest extends StageContract {

  private static final StructType SCHEMA = new StructType()
      .add("user", DataTypes.StringType)
      .add("item", DataTypes.IntegerType)
      .add("clicks", DataTypes.LongType)
      .add("fresh", DataTypes.BooleanType)
      .add("price", DataTypes.DoubleType)
      .add("score", DataTypes.FloatType);

  @Override
  protected PipelineStage newStage() {
    return new FieldRoleCheck().setCategoricalCols("user", "item", "clicks", "fresh")
        .setNumericCols("price", "score");
  }

  @Override
  protected Dataset<Row> inputData() {
    return spark().createDataFrame(List.of(RowFactory.create("u1", 3, 7L, true, 1.5, 0.25f),
        RowFactory.create("u2", null, 1L, false, null, 2f)), SCHEMA);
  }

  @Test
  void passesRowsAndSchemaThroughUnchanged() {
    FieldRoleCheck check = (FieldRoleCheck) newStage();
    assertSame(SCHEMA, check.transformSchema(SCHEMA));
    assertEquals(inputData().collectAsList(), check.transform(inputData()).collectAsList());
  }

  @Test
  void aRoleTheTypeCannotServeFailsNamingTheColumnAndTheCast() {
    IllegalArgumentException numericAsCategory = assertThrows(IllegalArgumentException.class,
        () -> new FieldRoleCheck().setCategoricalCols("user", "price").transformSchema(SCHEMA));
    assertEquals("Column 'price' is declared categorical but is double; a categorical field must be string, int, "
        + "bigint, boolean. Cast it first, e.g. col(\"price\").cast(\"string\"), or declare it numeric.",
        numericAsCategory.getMessage());
    IllegalArgumentException countAsNumber = assertThrows(IllegalArgumentException.class,
        () -> new FieldRoleCheck().setNumericCols("clicks").transformSchema(SCHEMA));
    assertTrue(countAsNumber.getMessage().startsWith("Column 'clicks' is declared numeric but is bigint; a numeric "
        + "field must be float, double. Cast it first, e.g. col(\"clicks\").cast(\"double\")"),
        countAsNumber.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> new FieldRoleCheck().setNumericCols("cost").transformSchema(SCHEMA));
    assertTrue(missing.getMessage().startsWith("Column 'cost' does not exist"), missing.getMessage());
  }
}
