package dev.sparkrec.nn.layers;

import dev.sparkrec.nn.Initializers;
import dev.sparkrec.nn.Module;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.GatherRows;
import java.util.List;

/**
 * A {@code rows × dim} embedding table with sparse-row gradients: a batch touches, and optimizers update,
 * only the rows it looked up. Initialised N(0, std²) from {@code seed}.
 */
public final class Embedding implements Module {

  private final Parameter table;

  public Embedding(String name, int rows, int dim, double std, long seed) {
    this.table = Parameter.sparseRows(name, rows, dim);
    Initializers.normal(table, 0, std, seed);
  }

  /**
   * Looks up {@code count} ids (optionally scaled by their feature values) into a tensor of {@code shape},
   * e.g. {@code [batch, fields, dim]}.
   */
  public Tensor forward(Tape tape, int[] ids, float[] values, int count, int... shape) {
    return GatherRows.apply(tape, table, ids, values, count, shape);
  }

  public Parameter table() {
    return table;
  }

  public int dim() {
    return table.rowSize();
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(table);
  }
}
