// Databricks notebook source
// MAGIC %md
// MAGIC # Click-through prediction with AFN and AFN+
// MAGIC
// MAGIC The Adaptive Factorization Network (Cheng, Shen, Huang, AAAI 2020) learns which feature crosses matter, and of
// MAGIC which order, through a logarithmic transformation layer: each of its neurons computes
// MAGIC `exp(Σ_j w_j · log e_j)`, a product of field embeddings raised to learned powers `w_j`. AFN+ adds a plain DNN
// MAGIC beside it and sums the two logits.
// MAGIC
// MAGIC This notebook encodes raw fields with `FieldEncoder`, trains AFN and AFN+ in ordinary Spark ML pipelines,
// MAGIC evaluates them on held-out rows, and reads back the cross features the log neurons learned.

// COMMAND ----------

// MAGIC %md
// MAGIC ## Data
// MAGIC With `criteoPath` empty the notebook generates SparkRec's sample click-through data: 40,000 training and
// MAGIC 10,000 test rows, eight categorical fields `C0..C7`, two numeric fields `I0, I1`, and a known ground truth
// MAGIC with planted crosses `C0×C1` (order 2) and `C2×C3×C4` (order 3). Set `criteoPath` to Criteo click logs in
// MAGIC Kaggle's `train.txt` format (tab-separated, label first) to use them instead; 20% are held out for testing.
// MAGIC On Databricks a widget can set it: `dbutils.widgets.text("criteoPath", "")` and
// MAGIC `val criteoPath = dbutils.widgets.get("criteoPath")`.

// COMMAND ----------

val criteoPath = ""

// COMMAND ----------

import dev.sparkrec.data.{CriteoReader, SampleData}
import org.apache.spark.sql.functions.col

val (train, test) =
  if (criteoPath.isEmpty) {
    (SampleData.CTR_TRAIN.generate(spark), SampleData.CTR_TEST.generate(spark))
  } else {
    // Criteo's integer fields become doubles, which FieldEncoder buckets by quantile.
    val criteo = CriteoReader.read(spark, criteoPath)
    val typed = criteo.select(criteo.columns.map(c =>
      if (c.startsWith("I")) col(c).cast("double").as(c) else col(c)): _*)
    val Array(a, b) = typed.randomSplit(Array(0.8, 0.2), 7L)
    (a, b)
  }
train.cache()
test.cache()
val fields = train.columns.filter(c => c != "label" && c != "rowId")
println(s"${train.count()} training rows, ${test.count()} test rows, fields: ${fields.mkString(", ")}")
display(train)

// COMMAND ----------

// MAGIC %md
// MAGIC ## Encoding
// MAGIC `FieldEncoder` gives every field value one feature id (`featureIds`, one per field per row). Categorical values
// MAGIC seen fewer than `minCount` times share their field's out-of-vocabulary id; numeric fields are cut into
// MAGIC quantile buckets. With `handleInvalid = "keep"`, values never seen in training score through that id too.

// COMMAND ----------

import dev.sparkrec.features.FieldEncoder

val encoder = new FieldEncoder()
  .setInputCols(fields: _*)
  .setNumericMode("bucketize")
  .setNumBuckets(10)
  .setMinCount(2)
  .setHandleInvalid("keep")

// COMMAND ----------

// MAGIC %md
// MAGIC ## AFN and AFN+ in a Pipeline
// MAGIC Both read the encoder's `featureIds` and write Spark's classifier columns (`rawPrediction`, `probability`,
// MAGIC `prediction`). `ensemble = true` makes AFN+. Training runs on the executors: each partition trains on its
// MAGIC rows, and the replicas are averaged every `syncEveryBatches` batches in a fixed order, so the same seed and
// MAGIC partitioning give the same model.

// COMMAND ----------

import dev.sparkrec.afn.{AFN, AFNModel}
import dev.sparkrec.features.FieldEncoderModel
import org.apache.spark.ml.{Pipeline, PipelineStage}

def afn(plus: Boolean): AFN = new AFN()
  .setEmbeddingDim(8)
  .setLogNeurons(16)
  .setHiddenLayers(32)
  .setEnsemble(plus)
  .setDnnHiddenLayers(32)
  .setBatchSize(1024)
  .setStepSize(0.003)
  .setMaxIter(4)
  .setSeed(7)

val afnPipeline = new Pipeline().setStages(Array[PipelineStage](encoder, afn(false))).fit(train)
val afnPlusPipeline = new Pipeline().setStages(Array[PipelineStage](encoder, afn(true))).fit(train)

// COMMAND ----------

// MAGIC %md
// MAGIC ## Evaluation on the test rows
// MAGIC AUC from MLlib's `BinaryClassificationEvaluator`, logloss from SparkRec's `LogLossEvaluator` (it reads the
// MAGIC `probability` vector).

// COMMAND ----------

import dev.sparkrec.eval.LogLossEvaluator
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator

val auc = new BinaryClassificationEvaluator().setLabelCol("label").setRawPredictionCol("rawPrediction")
val logLoss = new LogLossEvaluator().setLabelCol("label").setProbabilityCol("probability")
val scores = Seq("AFN" -> afnPipeline, "AFN+" -> afnPlusPipeline).map { case (name, model) =>
  val predictions = model.transform(test)
  (name, auc.evaluate(predictions), logLoss.evaluate(predictions))
}
display(scores.toDF("model", "test AUC", "test logloss"))

// COMMAND ----------

// MAGIC %md
// MAGIC ## What AFN learned: cross features and their orders
// MAGIC `crossFeatures` ranks the log neurons by their share of the output on the given rows and, for each, lists the
// MAGIC fields it multiplies with their learned orders (the powers `w_j`). On the sample data the planted crosses
// MAGIC involve `C0, C1` and `C2, C3, C4`: look for them among the leading neurons. The training summary has the
// MAGIC loss per epoch.

// COMMAND ----------

val encoding = afnPipeline.stages(0).asInstanceOf[FieldEncoderModel]
val afnModel = afnPipeline.stages(1).asInstanceOf[AFNModel]
display(afnModel.crossFeatures(encoding.transform(test), 5))
display(afnModel.summary().toDF())
