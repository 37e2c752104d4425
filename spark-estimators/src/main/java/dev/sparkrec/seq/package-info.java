/**
 * LightningSeq: click prediction from a user's long behaviour history with MiniMax-01's lightning attention
 * (decayed causal linear attention computed in tiles, linear in the history length) and top-k mixture-of-experts
 * feed-forward layers, on SparkRec's engine and distributed trainer.
 *
 * <p>{@link dev.sparkrec.seq.LightningSeqParams} declares the params estimator and model share,
 * {@link dev.sparkrec.seq.LightningSeqConfig} holds the sizes (built from the params by
 * {@link dev.sparkrec.seq.LightningSeqConfig#from}), and {@link dev.sparkrec.seq.LightningSeqNetwork} is the network
 * the {@link dev.sparkrec.train.Trainer} fits: one embedding table for target and history ids, {@code numLayers}
 * lightning blocks (every {@code softmaxEvery + 1}-th a causal softmax block) each followed by an MoE feed-forward,
 * target-attention or mean pooling of the encoded history, and an MLP over the target embeddings and the pooled
 * history. Histories of a batch travel ragged ({@link dev.sparkrec.train.Batch#sequenceOffsets()}) and run through
 * the layers back to back, so memory is linear in the events of a batch and a history of 10⁵ events trains at
 * batch size 1. The Spark ML stages {@link dev.sparkrec.seq.LightningSeq} and
 * {@link dev.sparkrec.seq.LightningSeqModel} wrap them for pipelines and write Spark's classifier columns; the
 * embedding table goes through the engine's embedding seam, so input search and mixed dimensions apply.
 */
package dev.sparkrec.seq;
