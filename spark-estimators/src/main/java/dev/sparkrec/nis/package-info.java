/**
 * Differentiable neural input search (DNIS, Cheng, Shen and Huang, 2020): learns a mixed embedding dimension per
 * block of features for any SparkRec model with embedding tables.
 *
 * <p>{@link dev.sparkrec.nis.NeuralInputSearch} wraps a base estimator that exposes the embedding seam
 * ({@link dev.sparkrec.ml.EmbeddingEstimator}: MF, NCF, AFN/AFN+, FM): it ranks every table's rows by training
 * frequency, cuts them into blocks, trains the base model with a soft selection
 * {@code α ∈ [0,1]^{blocks × dim}} multiplied into the embeddings (a warm start with α fixed, then training batches
 * step the model and validation batches step α: first-order, L1-penalised, normalised per block, clamped), and
 * prunes the search by threshold or by a budget of stored entries: to a dimension per block (α's largest), or by
 * magnitude to each feature's largest entries of the searched table with α folded in. The resulting
 * {@link dev.sparkrec.nis.EmbeddingDimensionsModel} holds the dimension table, the α of every block and the
 * parameter counts before and after; {@code setEmbeddingDimensions(model)} on the base estimator retrains it with
 * tables that store only the kept entries ({@link dev.sparkrec.nn.embedding.MixedDimensionEmbedding}: blocks of
 * features sharing their kept dimensions), which is what the saved model stores.
 */
package dev.sparkrec.nis;
