package dev.sparkrec.fia;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What influence analysis needs from a fitted recommender: its {@link FactorizedPredictor} and the parameter
 * vector of every known user and item in that predictor's layout, as DataFrames with columns
 * {@code id: int} and {@code vector: array<float>} (one row per id, no nulls).
 */
public interface FactorizedModel {

  /** The prediction as a function of a user vector and an item vector, with the training objective's λ. */
  FactorizedPredictor predictor();

  /** {@code id: int, vector: array<float>} for every user seen in training. */
  Dataset<Row> userVectors();

  /** {@code id: int, vector: array<float>} for every item seen in training. */
  Dataset<Row> itemVectors();
}
