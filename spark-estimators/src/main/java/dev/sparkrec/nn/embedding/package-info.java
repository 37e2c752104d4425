/**
 * The embedding seam of the engine: every SparkRec network looks its embeddings up through an
 * {@link dev.sparkrec.nn.embedding.EmbeddingTable} built by its configuration's
 * {@link dev.sparkrec.nn.embedding.EmbeddingLayout}. The uniform layout (the default) stores one full table;
 * {@link dev.sparkrec.nn.embedding.SoftSelectionLayout} adds DNIS's soft selection weights per feature block
 * ({@link dev.sparkrec.nn.embedding.SoftSelectionEmbedding}, stepped by
 * {@link dev.sparkrec.nn.embedding.SoftSelectionUpdate} in the trainer's dimension search);
 * {@link dev.sparkrec.nn.embedding.MixedDimensionLayout} stores each block of features at its own width
 * ({@link dev.sparkrec.nn.embedding.MixedDimensionEmbedding}). Input search and mixed dimensions therefore work on
 * every model without model-specific code.
 */
package dev.sparkrec.nn.embedding;
