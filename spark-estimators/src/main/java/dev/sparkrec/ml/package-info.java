/**
 * Spark ML glue shared by SparkRec's stages: persistence through Spark's metadata layout and schema checks
 * whose errors name the column and what was expected.
 */
package dev.sparkrec.ml;
