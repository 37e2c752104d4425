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

  /**
   * The looked-up vectors before the layout's selection of dimensions, so that {@code lookUp} equals this times
   * {@link #selection} entry by entry: a soft selection's table rows (gradients to the rows only), a mixed-dimension
   * table's zero-padded rows. A model that combines its embeddings other than linearly (AFN's logarithms) applies the
   * selection where a pruned entry is neutral for it; every other model calls {@link #lookUp}. By default the same
   * as {@code lookUp}.
   */
  default Tensor lookUpUnselected(Tape tape, int[] ids, float[] scales, int count, int... shape) {
    return lookUp(tape, ids, scales, count, shape);
  }

  /**
   * The weight of every looked-up entry in {@code [0, 1]}, a tensor of {@code shape} (size {@code count·dim()}): a
   * soft selection's {@code α[block(id)]} (gradients to α), a mixed-dimension table's 0/1 mask of the kept
   * dimensions (constant); null when the table selects nothing (every weight 1), as a full table does.
   */
  default Tensor selection(Tape tape, int[] ids, int count, int... shape) {
    return null;
  }

  /** The vectors as the model sees them, {@code rows × dim} row-major (a fresh array). */
  float[] toDense();

  /** Stored embedding entries (the table's memory in floats), not counting selection weights. */
  long embeddingParameterCount();
}
