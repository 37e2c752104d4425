/**
 * Data for SparkRec: readers for the public recommender datasets (libFM/Frappe, MovieLens,
 * Criteo) returning typed DataFrames, seeded synthetic generators whose ground truth is known,
 * and the generated samples shipped in {@code sample-data/}.
 *
 * <p>Every reader parses on the executors and fails on a malformed line with a message that
 * names the file, the line and its content. Every generator derives each random draw from its
 * seed and a row (or user) index, so its output does not depend on the machine or on how the
 * rows are partitioned.
 */
package dev.sparkrec.data;
