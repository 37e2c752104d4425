// Databricks notebook source
// MAGIC %md
// MAGIC # A notebook with one broken cell
// MAGIC NotebooksTest checks that running it fails with this notebook's name and the Cmd number of the broken cell.

// COMMAND ----------

val rows = spark.range(0, 10).toDF("n").cache()
rows.createOrReplaceTempView("fixture_rows")

// COMMAND ----------

display(rows)

// COMMAND ----------

// MAGIC %md The next cell divides by zero on the executors.

// COMMAND ----------

val broken = rows.map(r => r.getLong(0) / 0L).collect()

// COMMAND ----------

println("never reached")
