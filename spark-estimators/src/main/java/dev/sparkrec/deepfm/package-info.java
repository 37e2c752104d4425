/**
 * DeepFM (Guo et al., IJCAI 2017) for click-through rates, as RESUS's reference {@code DeepFM_encoder} computes
 * it, on SparkRec's engine and distributed trainer: {@code logit = w·concat(h_fm, h_dnn) + b} with {@code e_f =
 * E[id_f]·x_f}, the bi-interaction vector {@code h_fm = ½ [(Σ_f e_f)² − Σ_f e_f²]} (element-wise over the
 * embedding dimensions) and {@code h_dnn} a ReLU MLP over {@code concat_f e_f}; no first-order term, dropout or
 * batch norm.
 *
 * <p>{@link dev.sparkrec.deepfm.DeepFmParams} declares the params estimator and model share,
 * {@link dev.sparkrec.deepfm.DeepFmConfig} holds the sizes and the embedding layout (built from the params by
 * {@link dev.sparkrec.deepfm.DeepFmConfig#from}), and {@link dev.sparkrec.deepfm.DeepFmNetwork} is the network the
 * {@link dev.sparkrec.train.Trainer} fits with mini-batch Adam, lazy on the embedding rows a batch uses. The Spark
 * ML stages {@link dev.sparkrec.deepfm.DeepFM} and {@link dev.sparkrec.deepfm.DeepFMModel} wrap them for pipelines
 * and write Spark's classifier columns.
 *
 * <p>The network exposes its encoding {@code h = concat(h_fm, h_dnn)}
 * ({@link dev.sparkrec.deepfm.DeepFmNetwork#encode}, {@link dev.sparkrec.deepfm.DeepFmNetwork#encoderDim()})
 * apart from its output layer ({@link dev.sparkrec.deepfm.DeepFmNetwork#logit(dev.sparkrec.nn.Tape,
 * dev.sparkrec.nn.Tensor)}), for RESUS, which uses a trained DeepFM as its frozen base predictor
 * ({@link dev.sparkrec.deepfm.DeepFMModel#network()}) and a fresh one as its trainable encoder.
 *
 * <p>The embedding table {@code deepfm.embedding} is built through the engine's embedding seam
 * ({@link dev.sparkrec.nn.embedding.EmbeddingLayout}): the estimator is an {@link dev.sparkrec.ml.EmbeddingEstimator}
 * (row counts for input search, a fit under a search layout, retraining with searched dimensions) and the model an
 * {@link dev.sparkrec.ml.EmbeddingModel}, saved with its layout, so a model with mixed dimensions stores only its
 * blocks' entries.
 */
package dev.sparkrec.deepfm;
