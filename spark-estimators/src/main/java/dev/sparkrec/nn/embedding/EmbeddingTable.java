package dev.sparkrec.nn.embedding;

import dev.sparkrec.nn.Module;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * A logical {@code rows × dim} embedding table: looked up by row id, trained with sparse-row gradients. How the
 * rows are stored is the {@link EmbeddingLayout}'s choice: one full table ({@link dev.sparkrec.nn.layers.Embedding}),
 * a full table scaled by a soft selection of its dimensions ({@link SoftSelectionEmbedding}) or per-block tables of
 * their own widths ({@link MixedDimensionEmbedding}). Models look their embeddings up only through this seam, so
 * input search and mixed dimensions apply to every model without model-specific code.
 */
public interface EmbeddingTable extends Module {

  /** The table's name, unique within a model (e.g. {@code mf.userFactors}); its parameters' names start with it. */
  String name();

  /** Number of ids (logical rows). */
  int rows();

  /** Width of every looked-up vector (the model's embedding dimension). */
  int dim();

  /**
   * Looks up {@code count} ids, each vector optionally scaled by {@code scales[i]} (a feature's value; null for
   * 1), into a tensor of {@code shape} whose size is {@code count·dim()}, e.g. {@code [batch, fields, dim]}. The
   * arrays are read again in backward, so they must not change before it runs.
   */
  Tensor lookUp(Tape tape, int[] ids, float[] scales, int count, int... shape);

  /** The vectors as the model sees them, {@code rows × dim} row-major (a fresh array). */
  float[] toDense();

  /** Stored embedding entries (the table's memory in floats), not counting selection weights. */
  long embeddingParameterCount();
}
