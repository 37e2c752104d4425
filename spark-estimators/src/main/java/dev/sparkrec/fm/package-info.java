/**
 * The factorization machine (Rendle, ICDM 2010) for click-through rates, on SparkRec's engine and distributed
 * trainer: {@code logit = w0 + Σ_f b[id_f]·x_f + ½ Σ_k [(Σ_f v_{f,k})² − Σ_f v_{f,k}²]} with {@code v_f =
 * E[id_f]·x_f}, as DNIS's reference FM computes it.
 *
 * <p>{@link dev.sparkrec.fm.FmParams} declares the params estimator and model share,
 * {@link dev.sparkrec.fm.FmConfig} holds the sizes and the embedding layout (built from the params by
 * {@link dev.sparkrec.fm.FmConfig#from}), and {@link dev.sparkrec.fm.FmNetwork} is the network the
 * {@link dev.sparkrec.train.Trainer} fits with mini-batch Adam, lazy on the embedding rows a batch uses. The Spark
 * ML stages {@link dev.sparkrec.fm.FactorizationMachine} and {@link dev.sparkrec.fm.FactorizationMachineModel} wrap
 * them for pipelines and write Spark's classifier columns.
 *
 * <p>The embedding table {@code fm.embedding} is built through the engine's embedding seam
 * ({@link dev.sparkrec.nn.embedding.EmbeddingLayout}): the estimator is an {@link dev.sparkrec.ml.EmbeddingEstimator}
 * (row counts for input search, a fit under a search layout, retraining with searched dimensions) and the model an
 * {@link dev.sparkrec.ml.EmbeddingModel}, saved with its layout, so a model with mixed dimensions stores only its
 * blocks' entries.
 */
package dev.sparkrec.fm;
