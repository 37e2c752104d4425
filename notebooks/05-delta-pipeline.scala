// Databricks notebook source
// MAGIC %md
// MAGIC # A reproducible CTR pipeline on Delta Lake
// MAGIC
// MAGIC This notebook puts the pieces of a production job together:
// MAGIC
// MAGIC 1. read training rows from a Delta table and record the table version they came from;
// MAGIC 2. build the pipeline with SparkRec's composition API, `RecPipelines.ctr()`: a field role check, `FieldEncoder`
// MAGIC    and the model, as one ordinary Spark ML `Pipeline`;
// MAGIC 3. save the fitted pipeline, load it back, and write its predictions as a Delta table whose commit names the
// MAGIC    training data's version;
// MAGIC 4. let the input table move on, then use Delta's time travel to read exactly the rows the model was trained on.

// COMMAND ----------

// MAGIC %md
// MAGIC ## Where things go
// MAGIC `inputTable` is a Delta table with a `label` column (0/1) and the fields named in `categoricalCols` and
// MAGIC `numericCols`. Empty: the notebook writes SparkRec's generated sample click-through data to a new Delta table
// MAGIC under `workDir` first. Everything it writes goes under `workDir` (a DBFS path on Databricks). On Databricks,
// MAGIC widgets can set these: `dbutils.widgets.text("inputTable", "")`.

// COMMAND ----------

val inputTable = ""
val categoricalCols = Seq("C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7")
val numericCols = Seq("I0", "I1")
val workDir = s"/tmp/sparkrec-notebooks/${sc.applicationId}/05-delta-pipeline"

// COMMAND ----------

import dev.sparkrec.data.SampleData
import io.delta.tables.DeltaTable

val inputPath =
  if (inputTable.nonEmpty) {
    inputTable
  } else {
    val path = s"$workDir/ctr-rows"
    SampleData.CTR_TRAIN.generate(spark).write.format("delta").mode("overwrite").save(path)
    path
  }
// The version read now is the one the model is trained on: keep it with the model.
val trainedVersion = DeltaTable.forPath(spark, inputPath).history(1).select("version").first().getLong(0)
val rows = spark.read.format("delta").option("versionAsOf", trainedVersion).load(inputPath)
val Array(train, test) = rows.randomSplit(Array(0.8, 0.2), 7L)
println(s"training on $inputPath at version $trainedVersion: ${rows.count()} rows")

// COMMAND ----------

// MAGIC %md
// MAGIC ## The pipeline
// MAGIC `RecPipelines.ctr()` declares the fields by role and takes any CTR model: a SparkRec estimator reads the
// MAGIC encoder's ids directly, an MLlib classifier gets a feature vector in between. Both results are plain
// MAGIC `Pipeline`s, which also tune in `CrossValidator`. Here SparkRec's AFN and MLlib's logistic regression are
// MAGIC built from the same declaration.

// COMMAND ----------

import dev.sparkrec.afn.AFN
import dev.sparkrec.pipelines.RecPipelines
import org.apache.spark.ml.PipelineModel
import org.apache.spark.ml.classification.LogisticRegression
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator

def ctrPipeline(model: org.apache.spark.ml.Estimator[_]) =
  RecPipelines.ctr().categorical(categoricalCols: _*).numeric(numericCols: _*).model(model).build()

val afn = new AFN().setEmbeddingDim(8).setLogNeurons(16).setHiddenLayers(32)
  .setBatchSize(1024).setStepSize(0.003).setMaxIter(4).setSeed(7)
val afnModel = ctrPipeline(afn).fit(train)
val lrModel = ctrPipeline(new LogisticRegression().setMaxIter(50).setRegParam(1e-4)).fit(train)
val auc = new BinaryClassificationEvaluator().setLabelCol("label").setRawPredictionCol("rawPrediction")
display(Seq(("AFN", auc.evaluate(afnModel.transform(test))), ("MLlib LogisticRegression",
  auc.evaluate(lrModel.transform(test)))).toDF("model", "test AUC"))

// COMMAND ----------

// MAGIC %md
// MAGIC ## Save, load, and write predictions to Delta
// MAGIC The fitted pipeline saves with Spark ML persistence and loads with `PipelineModel.load`, SparkRec's stages
// MAGIC included. The loaded model scores the test rows; the predictions table's commit carries the input table and
// MAGIC version in its `userMetadata`, so `DESCRIBE HISTORY` says what each version was computed from.

// COMMAND ----------

import org.apache.spark.ml.functions.vector_to_array
import org.apache.spark.sql.functions.col

val modelPath = s"$workDir/afn-pipeline"
afnModel.write.overwrite().save(modelPath)
val loaded = PipelineModel.load(modelPath)

val predictionsPath = s"$workDir/predictions"
loaded.transform(test)
  .select(col("label"), vector_to_array(col("probability")).getItem(1).as("clickProbability"), col("prediction"))
  .write.format("delta").mode("overwrite")
  .option("userMetadata", s"AFN pipeline $modelPath trained on $inputPath version $trainedVersion")
  .save(predictionsPath)
display(DeltaTable.forPath(spark, predictionsPath).history().select("version", "operation", "userMetadata"))

// COMMAND ----------

// MAGIC %md
// MAGIC ## Time travel: the training data, later
// MAGIC New rows arrive in the input table (here: the sample's test rows are appended, when the notebook made the
// MAGIC table). The latest version has moved on, but `versionAsOf` still reads the rows the model was trained on, so a
// MAGIC retraining from the recorded version reproduces the model.

// COMMAND ----------

if (inputTable.isEmpty) {
  SampleData.CTR_TEST.generate(spark).write.format("delta").mode("append").save(inputPath)
}
val latest = spark.read.format("delta").load(inputPath)
val asTrained = spark.read.format("delta").option("versionAsOf", trainedVersion).load(inputPath)
display(DeltaTable.forPath(spark, inputPath).history().select("version", "operation", "operationMetrics"))
println(s"latest version: ${latest.count()} rows; version $trainedVersion, as trained: ${asTrained.count()} rows")
