// Databricks notebook source
// MAGIC %md
// MAGIC # Searching embedding dimensions with NIS
// MAGIC
// MAGIC Embedding tables are most of a recommender's memory, yet rare features need far fewer dimensions than
// MAGIC frequent ones. Differentiable neural input search (DNIS; Cheng, Shen, Huang, 2020) orders the features by
// MAGIC training frequency, cuts them into blocks, and learns a soft selection weight per (block, dimension) that
// MAGIC scales the embeddings; dimensions whose weights end up small are pruned. The paper reports 2× fewer embedding
// MAGIC parameters on collaborative filtering and 20× on CTR at the same quality.
// MAGIC
// MAGIC This notebook trains a factorisation machine with a uniform embedding dimension, lets `NeuralInputSearch`
// MAGIC search its dimensions, prunes them to a quarter of the uniform model's embedding parameters, retrains the FM
// MAGIC with the mixed dimensions and compares the two.

// COMMAND ----------

// MAGIC %md
// MAGIC ## Data
// MAGIC With `frappeDir` empty the notebook generates SparkRec's sample click-through data and encodes its raw fields
// MAGIC with `FieldEncoder`. Set `frappeDir` to a folder holding Frappe in libFM format (`frappe.train.libfm`,
// MAGIC `frappe.test.libfm`, plain or gzipped), whose feature ids are already encoded. On Databricks:
// MAGIC `dbutils.widgets.text("frappeDir", "")`.

// COMMAND ----------

val frappeDir = ""

// COMMAND ----------

import dev.sparkrec.data.{LibFmReader, SampleData}
import dev.sparkrec.features.FieldEncoder
import org.apache.spark.sql.functions.expr

// Frappe labels negatives -1; the models want 0/1. The file may be plain or gzipped.
def libFm(name: String) = {
  val plain = new org.apache.hadoop.fs.Path(frappeDir, name)
  val exists = plain.getFileSystem(sc.hadoopConfiguration).exists(plain)
  new LibFmReader().read(spark, if (exists) plain.toString else plain.toString + ".gz")
    .withColumn("label", expr("CAST(label > 0 AS DOUBLE)"))
}

val (encodedTrain, encodedTest, numFeatures) =
  if (frappeDir.isEmpty) {
    val train = SampleData.CTR_TRAIN.generate(spark)
    val encoding = new FieldEncoder()
      .setInputCols(train.columns.filter(c => c != "label" && c != "rowId"): _*)
      .setNumericMode("bucketize")
      .setMinCount(2)
      .setHandleInvalid("keep")
      .fit(train)
    (encoding.transform(train), encoding.transform(SampleData.CTR_TEST.generate(spark)), encoding.numFeatures)
  } else {
    val train = libFm("frappe.train.libfm")
    val test = libFm("frappe.test.libfm")
    (train, test, train.union(test).select(expr("max(array_max(featureIds)) + 1")).first().getInt(0))
  }
// One training row in ten validates: the search's selection weights learn from it, as in DNIS.
val labelled = encodedTrain.withColumn("isValidation", expr("xxhash64(featureIds) % 10 = 0")).cache()
encodedTest.cache()
println(s"$numFeatures feature ids, ${labelled.count()} training rows, ${encodedTest.count()} test rows")

// COMMAND ----------

// MAGIC %md
// MAGIC ## The uniform FM
// MAGIC SparkRec's `FactorizationMachine` trains with mini-batch Adam and sparse embedding updates on the executors.
// MAGIC Every feature gets `embeddingDim` = 8 dimensions.

// COMMAND ----------

import dev.sparkrec.fm.FactorizationMachine
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator

def fm(): FactorizationMachine = new FactorizationMachine()
  .setNumFeatures(numFeatures)
  .setEmbeddingDim(8)
  .setMaxIter(3)
  .setSeed(7)
  .setValidationIndicatorCol("isValidation")

val auc = new BinaryClassificationEvaluator().setLabelCol("label").setRawPredictionCol("rawPrediction")
val uniform = fm().fit(labelled)
val uniformAuc = auc.evaluate(uniform.transform(encodedTest))
println(s"uniform FM: ${uniform.embeddingParameterCount} embedding parameters, test AUC $uniformAuc")

// COMMAND ----------

// MAGIC %md
// MAGIC ## The search
// MAGIC `NeuralInputSearch` wraps the estimator: a warm start with every selection weight at 1, then alternating
// MAGIC steps (training batches update the model, validation batches the selection weights, with an L1 push towards
// MAGIC zero). The fitted `EmbeddingDimensionsModel` holds the weights; `withParameterBudget` prunes them by
// MAGIC magnitude until the embedding parameters fit the budget. `dimensions` has one row per frequency block: most
// MAGIC frequent features first, with the dimension each block keeps.

// COMMAND ----------

import dev.sparkrec.nis.NeuralInputSearch

val searched = new NeuralInputSearch()
  .setEstimator(fm())
  .setValidationIndicatorCol("isValidation")
  .setWarmStartEpochs(1)
  .setSearchEpochs(1)
  .fit(labelled)
  .withParameterBudget(uniform.embeddingParameterCount / 4)
display(searched.dimensions())

// COMMAND ----------

// MAGIC %md
// MAGIC ## Retrain with the searched dimensions
// MAGIC `setEmbeddingDimensions` gives any SparkRec embedding model (FM, AFN, DeepFM, MF, NCF, LightningSeq) the
// MAGIC searched mixed-dimension tables. The table compares parameters and test AUC with the uniform FM.

// COMMAND ----------

val mixed = fm().setEmbeddingDimensions(searched).fit(labelled)
display(Seq(
  ("uniform, dim 8", uniform.embeddingParameterCount, uniformAuc),
  ("NIS, budget 1/4", mixed.embeddingParameterCount, auc.evaluate(mixed.transform(encodedTest)))
).toDF("FM", "embeddingParameters", "testAuc"))
