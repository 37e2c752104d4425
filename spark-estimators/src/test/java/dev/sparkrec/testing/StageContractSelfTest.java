package dev.sparkrec.testing;

import java.util.Arrays;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The contract run against an MLlib stage known to keep it, so a failure here is the contract's own bug. */
class StageContractSelfTest extends StageContract {

  @Override
  protected PipelineStage newStage() {
    return new StringIndexer().setInputCol("city").setOutputCol("cityIndex").setHandleInvalid("keep");
  }

  @Override
  protected Dataset<Row> inputData() {
    StructType schema = new StructType().add("city", DataTypes.StringType);
    return spark().createDataFrame(Arrays.asList(
        RowFactory.create("paris"), RowFactory.create("oslo"), RowFactory.create("paris")), schema);
  }
}
