// Databricks notebook source
// MAGIC %md
// MAGIC # Warming up cold users with RESUS
// MAGIC
// MAGIC A new user has a handful of interactions: too few to train on, but enough to say how this user differs from
// MAGIC the crowd. RESUS (Shen et al., TOIS 2023) keeps one shared base CTR predictor and adds a per-user residual
// MAGIC computed from the user's few interactions (the *support*) by a closed-form meta-learner: ridge regression
// MAGIC (`learner = "rr"`, the default) or nearest neighbours (`"nn"`). Nothing is retrained when a user arrives.
// MAGIC
// MAGIC This notebook fits RESUS on the warm users, adapts it to each cold user from their first interactions, and
// MAGIC compares the cold users' later interactions scored with and without their adaptation.

// COMMAND ----------

// MAGIC %md
// MAGIC ## Data
// MAGIC With `movieLensDir` empty the notebook generates SparkRec's cold-start sample: warm and cold users, each row
// MAGIC an interaction with `label`, its position in the user's history (`interactionIndex`) and three categorical
// MAGIC fields (`C0` is the item). Set `movieLensDir` to a MovieLens 100K folder to use real ratings: a rating of 4 or
// MAGIC 5 is a click, every fifth user is held out as cold, and the fields are the item, the user's occupation and
// MAGIC gender. On Databricks: `dbutils.widgets.text("movieLensDir", "")`.

// COMMAND ----------

val movieLensDir = ""

// COMMAND ----------

import dev.sparkrec.data.{MovieLensReader, SampleData}
import org.apache.spark.sql.expressions.Window
import org.apache.spark.sql.functions.{col, expr, row_number}

val (rows, fields) =
  if (movieLensDir.isEmpty) {
    (SampleData.COLD_START.generate(spark), Seq("C0", "C1", "C2"))
  } else {
    val users = MovieLensReader.users100k(spark, movieLensDir + "/u.user").select("user", "occupation", "gender")
    val history = Window.partitionBy("user").orderBy("timestamp", "item")
    val interactions = MovieLensReader.ratings100k(spark, movieLensDir + "/u.data").join(users, "user")
      .withColumn("interactionIndex", row_number().over(history) - 1)
      .withColumn("label", (col("rating") >= 4).cast("double"))
      .withColumn("isColdUser", col("user") % 5 === 0)
      .withColumn("itemId", col("item").cast("string"))
    (interactions, Seq("itemId", "occupation", "gender"))
  }
// Every fifth warm user validates the meta-training (early stopping on their query AUC).
val labelled = rows.withColumn("isValidation", expr("user % 5 = 1")).cache()
display(labelled.groupBy("isColdUser").agg(expr("count(DISTINCT user) AS users"), expr("count(*) AS interactions"),
  expr("avg(label) AS clickRate")))

// COMMAND ----------

// MAGIC %md
// MAGIC ## Fit on the warm users
// MAGIC `RESUS` is an Estimator: it fits its base predictor (a `DeepFM` here) on the warm users' interactions, freezes
// MAGIC it, then meta-trains the residual over episodes that split each warm user's history into support and query.

// COMMAND ----------

import dev.sparkrec.deepfm.DeepFM
import dev.sparkrec.features.FieldEncoder
import dev.sparkrec.resus.{RESUS, RESUSModel}
import org.apache.spark.ml.{Pipeline, PipelineStage}

val encoder = new FieldEncoder().setInputCols(fields: _*).setHandleInvalid("keep")
val base = new DeepFM().setEmbeddingDim(4).setHiddenLayers(16).setMaxIter(3).setSeed(4)
val resus = new RESUS()
  .setUserCol("user")
  .setTimeCol("interactionIndex")
  .setValidationIndicatorCol("isValidation")
  .setEmbeddingDim(4)
  .setHiddenLayers(16)
  .setMaxIter(3)
  .setSeed(5)
  .setBaseEstimator(base)
val fitted = new Pipeline().setStages(Array[PipelineStage](encoder, resus)).fit(labelled.where("NOT isColdUser"))
val model = fitted.stages(1).asInstanceOf[RESUSModel]
display(model.summary().toDF())

// COMMAND ----------

// MAGIC %md
// MAGIC ## Adapt to the cold users
// MAGIC `adapt` turns each cold user's support rows into one row of adaptation (the residual's closed-form solution),
// MAGIC a table you can store and join at scoring time with `setAdaptation`; `clearSupport` scores with the base
// MAGIC predictor alone. Below, each cold user's first 1, 2, 5 or 10 interactions are the support and the later ones
// MAGIC the query (a support size is left out when no user has interactions beyond it: the generated cold users have
// MAGIC three each). Compare the query AUC of the base predictor and of RESUS as the support grows. Whether the
// MAGIC residual helps depends on how much a user's few interactions say and on how long the meta-learner trained
// MAGIC (`maxIter`, early stopping on the validation users): measure it on your data before serving it.

// COMMAND ----------

import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator

val cold = fitted.stages(0).transform(labelled.where("isColdUser")).cache()
val auc = new BinaryClassificationEvaluator().setLabelCol("label").setRawPredictionCol("rawPrediction")
val bySupport = Seq(1, 2, 5, 10).flatMap { support =>
  val query = cold.where(s"interactionIndex >= $support")
  if (query.isEmpty) {
    None
  } else {
    val adaptation = model.adapt(cold.where(s"interactionIndex < $support")).cache()
    val result = (support, adaptation.count(), query.count(), auc.evaluate(model.clearSupport().transform(query)),
      auc.evaluate(model.setAdaptation(adaptation).transform(query)))
    adaptation.unpersist()
    Some(result)
  }
}
display(bySupport.toDF("support", "coldUsers", "queryRows", "baseQueryAuc", "resusQueryAuc"))
