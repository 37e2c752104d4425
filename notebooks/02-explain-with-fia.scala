// Databricks notebook source
// MAGIC %md
// MAGIC # Explaining recommendations with FIA
// MAGIC
// MAGIC Fast influence analysis (Cheng et al., KDD 2019) answers "why did the model predict 4.5 for this user and
// MAGIC item?" with the training ratings whose removal would change that prediction most: "because you rated X".
// MAGIC It re-fits only the user's and the item's vectors in closed form (a small Hessian solve per user and per
// MAGIC item), so explanations cost about as much as scoring.
// MAGIC
// MAGIC This notebook trains SparkRec's `MatrixFactorization` and MLlib's `ALS` on the same ratings, compares their
// MAGIC test RMSE, and explains both with the same `InfluenceExplainer`.

// COMMAND ----------

// MAGIC %md
// MAGIC ## Data
// MAGIC With `movieLensDir` empty the notebook generates SparkRec's sample ratings (users, items and a known
// MAGIC low-rank ground truth, rounded to half stars). Set it to a MovieLens 100K folder (the one holding `u.data`)
// MAGIC to explain real ratings. On Databricks: `dbutils.widgets.text("movieLensDir", "")`.

// COMMAND ----------

val movieLensDir = ""

// COMMAND ----------

import dev.sparkrec.data.{MovieLensReader, SampleData}

val ratings =
  if (movieLensDir.isEmpty) SampleData.RATINGS.generate(spark)
  else MovieLensReader.ratings100k(spark, movieLensDir + "/u.data").select("user", "item", "rating")
val Array(train, test) = ratings.randomSplit(Array(0.9, 0.1), 7L)
train.cache()
println(s"${train.count()} training ratings, ${test.count()} test ratings")
display(train)

// COMMAND ----------

// MAGIC %md
// MAGIC ## Two factorisations of the same ratings
// MAGIC Both read `user`, `item`, `rating` and write `prediction`. A validation split of the training ratings picks
// MAGIC each model's settings from a small grid (the factorisation's epochs and λ, ALS's λ at MLlib's usual 10
// MAGIC iterations); each is then refitted on all training ratings and scored on the test ratings.
// MAGIC `coldStartStrategy = "drop"` leaves out pairs whose user or item the fitted split lacks, so that RMSE is
// MAGIC defined. Widen the grids for your own data.

// COMMAND ----------

import dev.sparkrec.fia.MatrixFactorization
import org.apache.spark.ml.evaluation.RegressionEvaluator
import org.apache.spark.ml.recommendation.ALS

def mfWith(epochs: Int, regParam: Double) = new MatrixFactorization().setRank(8).setMaxIter(epochs)
  .setRegParam(regParam).setSeed(7).setColdStartStrategy("drop")
def alsWith(regParam: Double) = new ALS().setUserCol("user").setItemCol("item").setRatingCol("rating")
  .setRank(8).setMaxIter(10).setRegParam(regParam).setSeed(7).setColdStartStrategy("drop")

val rmse = new RegressionEvaluator().setMetricName("rmse").setLabelCol("rating").setPredictionCol("prediction")
val Array(fitPart, validationPart) = train.randomSplit(Array(0.9, 0.1), 8L)
fitPart.cache()
def validationRmse(model: org.apache.spark.ml.Model[_]) = rmse.evaluate(model.transform(validationPart))
val grid =
  (for (epochs <- Seq(20, 40); regParam <- Seq(0.05, 0.1))
    yield ("MatrixFactorization", epochs, regParam, validationRmse(mfWith(epochs, regParam).fit(fitPart)))) ++
  (for (regParam <- Seq(0.05, 0.1, 0.2))
    yield ("ALS", 10, regParam, validationRmse(alsWith(regParam).fit(fitPart))))
display(grid.toDF("model", "maxIter", "regParam", "validation RMSE"))
fitPart.unpersist()

// COMMAND ----------

val (_, mfEpochs, mfRegParam, _) = grid.filter(_._1 == "MatrixFactorization").minBy(_._4)
val (_, _, alsRegParam, _) = grid.filter(_._1 == "ALS").minBy(_._4)
val mf = mfWith(mfEpochs, mfRegParam).fit(train)
val als = alsWith(alsRegParam).fit(train)
display(Seq(
  (s"SparkRec MatrixFactorization ($mfEpochs epochs, regParam $mfRegParam)", rmse.evaluate(mf.transform(test))),
  (s"MLlib ALS (10 iterations, regParam $alsRegParam)", rmse.evaluate(als.transform(test)))
).toDF("model", "test RMSE"))

// COMMAND ----------

// MAGIC %md
// MAGIC ## Explaining test predictions
// MAGIC `InfluenceExplainer` is a Transformer: give it the fitted model and the ratings it was trained on, then
// MAGIC transform any (user, item) pairs. `explanations` lists the `topK` most influential training ratings, each with
// MAGIC its `influence`: the estimated change of this prediction if that rating were removed. An entry whose `user` is
// MAGIC the pair's user is one of the user's own ratings ("because you rated item X"); the others are other users'
// MAGIC ratings of the same item. For ALS, pass the `regParam` it was trained with: the influence is taken on ALS's
// MAGIC own objective.

// COMMAND ----------

import dev.sparkrec.fia.InfluenceExplainer

val pairs = test.select("user", "item").orderBy("user", "item").limit(5)
val mfExplainer = new InfluenceExplainer().setModel(mf).setTrainingRatings(train).setTopK(3)
val alsExplainer = new InfluenceExplainer().setModel(als, alsRegParam).setTrainingRatings(train).setTopK(3)
display(mfExplainer.transform(pairs))
display(alsExplainer.transform(pairs))

// COMMAND ----------

// MAGIC %md
// MAGIC ## Recommend and explain in one job
// MAGIC `recommendAndExplain` scores every unrated item for the given users, keeps the top `k`, and explains each.
// MAGIC Below: user 1's top five from the factorisation, one row per recommended item and explaining rating.

// COMMAND ----------

import org.apache.spark.sql.functions.{col, explode}

val user = Seq(1).toDF("user")
val recommended = mfExplainer.recommendAndExplain(user, 5)
display(recommended
  .select(col("rank"), col("item"), col("prediction"), explode(col("explanations")).as("because"))
  .select(col("rank"), col("item"), col("prediction"), col("because.user").as("rater"),
    col("because.item").as("ratedItem"), col("because.rating").as("rating"), col("because.influence").as("influence"))
  .orderBy("rank"))
