/** SparkRec: Spark ML pipeline stages for recommender systems. */
package dev.sparkrec;
