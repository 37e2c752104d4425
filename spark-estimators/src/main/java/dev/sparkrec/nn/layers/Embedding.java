package dev.sparkrec.nn.layers;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.embedding.EmbeddingTable;
import dev.sparkrec.nn.embedding.TableInit;
import dev.sparkrec.nn.ops.GatherRows;
import java.util.List;

/**
 * A full {@code rows × dim} embedding table with sparse-row gradients: a batch touches, and optimizers update,
 * only the rows it looked up. Its single parameter carries the table's name.
 */
public final class Embedding implements EmbeddingTable {

  private final Parameter table;

  /** A table initialised N(0, std²) from {@code seed}. */
  public Embedding(String name, int rows, int dim, double std, long seed) {
    this(name, rows, dim, TableInit.normal(std), seed);
  }

  /** A table initialised by {@code init} from {@code seed}. */
  public Embedding(String name, int rows, int dim, TableInit init, long seed) {
    this.table = Parameter.sparseRows(name, rows, dim);
    init.initialize(table, rows, dim, seed);
  }

  /**
   * Looks up {@code count} ids (optionally scaled by their feature values) into a tensor of {@code shape},
   * e.g. {@code [batch, fields, dim]}.
   */
  public Tensor forward(Tape tape, int[] ids, float[] values, int count, int... shape) {
    return GatherRows.apply(tape, table, ids, values, count, shape);
  }

  @Override
  public Tensor lookUp(Tape tape, int[] ids, float[] scales, int count, int... shape) {
    return GatherRows.apply(tape, table, ids, scales, count, shape);
  }

  public Parameter table() {
    return table;
  }

  @Override
  public String name() {
    return table.name();
  }

  @Override
  public int rows() {
    return table.shape()[0];
  }

  @Override
  public int dim() {
    return table.rowSize();
  }

  @Override
  public float[] toDense() {
    return table.data().clone();
  }

  @Override
  public long embeddingParameterCount() {
    return table.size();
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(table);
  }
}
