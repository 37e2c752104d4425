// Databricks notebook source
// MAGIC %md
// MAGIC # SparkRec's SQL functions on CPU and GPU
// MAGIC
// MAGIC SparkRec registers four SQL functions over `array<float>` columns, each computed in double and rounded once
// MAGIC to float:
// MAGIC
// MAGIC | function | result | used for |
// MAGIC |---|---|---|
// MAGIC | `sparkrec_dot(a, b)` | `Σ a_j b_j` | MF and ALS scores |
// MAGIC | `sparkrec_scaled_dot(a, b, s)` | `s · Σ a_j b_j` | FIA influences |
// MAGIC | `sparkrec_weighted_l1(a, b, w)` | `Σ w_j |a_j − b_j|` | RESUS-NN's distance |
// MAGIC | `sparkrec_cosine(a, b)` | `Σ a_j b_j / (‖a‖ ‖b‖)` | item-item similarity |
// MAGIC
// MAGIC `SparkRecFunctions.register(spark)` picks the implementation: on a cluster with the RAPIDS Accelerator (its
// MAGIC jar installed and `spark.plugins` naming `com.nvidia.spark.SQLPlugin`) it registers the GPU twins, which run
// MAGIC inside RAPIDS' columnar projections on the GPU; everywhere else the CPU classes, with the same results. Once
// MAGIC registered, SparkRec's own batch paths that are array arithmetic use them too (MF's
// MAGIC `recommendForAllUsers`, the recommendation step of FIA's `recommendAndExplain`).

// COMMAND ----------

// MAGIC %md
// MAGIC ## Registering
// MAGIC `register` returns `"gpu"` or `"cpu"`. On this cluster:

// COMMAND ----------

import dev.sparkrec.gpu.{RapidsAccelerator, SparkRecFunctions}

val implementation = SparkRecFunctions.register(spark)
println(s"registered: $implementation (RAPIDS jar on the classpath: ${RapidsAccelerator.pluginOnClasspath}, " +
  s"RAPIDS active in this session: ${RapidsAccelerator.isActive(spark)})")
display(spark.sql("SELECT sparkrec_dot(array(1f, 2f, 3f), array(4f, 5f, 6f)) AS dot, " +
  "sparkrec_cosine(array(1f, 0f), array(1f, 1f)) AS cosine, " +
  "sparkrec_weighted_l1(array(1f, 2f), array(3f, 0f), array(0.5f, 1f)) AS weightedL1"))

// COMMAND ----------

// MAGIC %md
// MAGIC ## Scoring factor tables in SQL
// MAGIC With `movieLensDir` empty the notebook generates SparkRec's sample ratings; set it to a MovieLens 100K folder
// MAGIC (holding `u.data`) for real ones. An MLlib ALS model's factor tables are `array<float>` columns already, so
// MAGIC `sparkrec_dot` scores (user, item) pairs with a join, and agrees with ALS's own `transform` up to float
// MAGIC rounding (ALS sums in float, the function in double).

// COMMAND ----------

val movieLensDir = ""

// COMMAND ----------

import dev.sparkrec.data.{MovieLensReader, SampleData}
import org.apache.spark.ml.recommendation.ALS
import org.apache.spark.sql.functions.{abs, col, max}

val ratings =
  if (movieLensDir.isEmpty) SampleData.RATINGS.generate(spark)
  else MovieLensReader.ratings100k(spark, movieLensDir + "/u.data").select("user", "item", "rating")
val als = new ALS().setUserCol("user").setItemCol("item").setRatingCol("rating")
  .setRank(8).setMaxIter(5).setRegParam(0.1).setSeed(7).fit(ratings)
als.userFactors.createOrReplaceTempView("user_factors")
als.itemFactors.createOrReplaceTempView("item_factors")
ratings.createOrReplaceTempView("ratings")

val scored = spark.sql("""
  SELECT r.user, r.item, sparkrec_dot(u.features, i.features) AS score
  FROM ratings r
  JOIN user_factors u ON u.id = r.user
  JOIN item_factors i ON i.id = r.item""")
val compared = scored.join(als.transform(ratings).select("user", "item", "prediction"), Seq("user", "item"))
display(compared.agg(max(abs(col("score") - col("prediction"))).as("largest difference from ALS.transform")))

// COMMAND ----------

// MAGIC %md
// MAGIC ## Similar items
// MAGIC `sparkrec_cosine` over the item factors: the five items most similar to item 1.

// COMMAND ----------

display(spark.sql("""
  SELECT other.id AS item, sparkrec_cosine(one.features, other.features) AS similarity
  FROM item_factors one CROSS JOIN item_factors other
  WHERE one.id = 1 AND other.id <> 1
  ORDER BY similarity DESC
  LIMIT 5"""))

// COMMAND ----------

// MAGIC %md
// MAGIC ## What changes on a RAPIDS cluster
// MAGIC Nothing in the code. Install the RAPIDS Accelerator jar (`rapids-4-spark_2.12`, 25.04 for Spark 3.5) as a
// MAGIC cluster library beside SparkRec's, use a GPU runtime, and set `spark.plugins com.nvidia.spark.SQLPlugin`
// MAGIC (plus `spark.rapids.sql.explain ALL` to see the decisions in the driver log). Then:
// MAGIC
// MAGIC - `register` returns `"gpu"`, and the physical plan below shows the projection computing the score as a
// MAGIC   `GpuProject` over the UDF instead of a CPU `Project` (here it is the CPU plan);
// MAGIC - the scores are the same numbers: each GPU twin does the CPU class's arithmetic (double accumulation, one
// MAGIC   rounding to float) in cuDF, and runs its CPU code whenever a plan stays on the CPU (for example with
// MAGIC   `spark.rapids.sql.enabled false`);
// MAGIC - keep the inputs of GPU work in Parquet: RAPIDS 25.04 does not accelerate Delta scans and writes on Apache
// MAGIC   Spark 3.5, so a Delta source keeps its scan on the CPU (the functions above still run on the GPU).

// COMMAND ----------

scored.explain()
