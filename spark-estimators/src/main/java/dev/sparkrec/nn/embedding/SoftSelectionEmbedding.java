package dev.sparkrec.nn.embedding;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import java.util.List;

/**
 * DNIS's soft selection layer on a full table: the vector of row {@code r} is {@code ẽ_r = E[r] ⊙ α[block(r)]},
 * where {@code α ∈ [0,1]^{blocks × dim}} (parameter {@code <name>.alpha}, initialised to 1) weighs every
 * embedding dimension of every feature block. The table {@code <name>} has sparse-row gradients as usual; α
 * receives {@code ∂L/∂α[b,j] = Σ_{i: block(id_i)=b} g_ij·E[id_i, j]·s_i} but is state to optimizers (saved and
 * averaged, never stepped): only the search's validation steps move it ({@link SoftSelectionUpdate}).
 */
public final class SoftSelectionEmbedding implements EmbeddingTable {

  /** The suffix of the selection weights' parameter name. */
  public static final String ALPHA_SUFFIX = ".alpha";

  private final String name;
  private final FeatureBlocks blocks;
  private final Parameter table;
  private final Parameter alpha;

  public SoftSelectionEmbedding(String name, int rows, int dim, FeatureBlocks blocks, TableInit init, long seed) {
    blocks.requireRows(name, rows);
    this.name = name;
    this.blocks = blocks;
    this.table = Parameter.sparseRows(name, rows, dim);
    init.initialize(table, rows, dim, seed);
    this.alpha = Parameter.state(alphaName(name), blocks.numBlocks(), dim);
    java.util.Arrays.fill(alpha.data(), 1f);
  }

  /** The name of table {@code table}'s selection weights. */
  public static String alphaName(String table) {
    return table + ALPHA_SUFFIX;
  }

  public Parameter table() {
    return table;
  }

  /** The selection weights, {@code blocks × dim}. */
  public Parameter alpha() {
    return alpha;
  }

  public FeatureBlocks blocks() {
    return blocks;
  }

  @Override
  public String name() {
    return name;
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
  public Tensor lookUp(Tape tape, int[] ids, float[] scales, int count, int... shape) {
    return Lookup.apply(tape, this, true, true, ids, scales, count, shape);
  }

  /** {@code E[id_i]·s_i}, without α; gradients to the touched rows of E only. */
  @Override
  public Tensor lookUpUnselected(Tape tape, int[] ids, float[] scales, int count, int... shape) {
    return Lookup.apply(tape, this, true, false, ids, scales, count, shape);
  }

  /** {@code α[block(id_i)]}, with gradients to α. */
  @Override
  public Tensor selection(Tape tape, int[] ids, int count, int... shape) {
    return Lookup.apply(tape, this, false, true, ids, null, count, shape);
  }

  @Override
  public float[] toDense() {
    int d = dim();
    float[] out = table.data().clone();
    float[] a = alpha.data();
    for (int r = 0; r < rows(); r++) {
      int from = blocks.blockOf(r) * d;
      for (int j = 0; j < d; j++) {
        out[r * d + j] *= a[from + j];
      }
    }
    return out;
  }

  @Override
  public long embeddingParameterCount() {
    return table.size();
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(table, alpha);
  }

  /**
   * {@code out_i = E[id_i] ⊙ α[block(id_i)] · s_i}, with gradients to the touched rows of E and to α; either factor
   * may be left out (taken as 1), and then receives no gradient.
   */
  private static final class Lookup extends Op {
    private final SoftSelectionEmbedding layer;
    private final boolean withTable;
    private final boolean withAlpha;
    private final int[] ids;
    private final float[] scales;
    private final int count;
    private final Tensor out;

    private Lookup(SoftSelectionEmbedding layer, boolean withTable, boolean withAlpha, int[] ids, float[] scales,
        int count, Tensor out) {
      this.layer = layer;
      this.withTable = withTable;
      this.withAlpha = withAlpha;
      this.ids = ids;
      this.scales = scales;
      this.count = count;
      this.out = out;
    }

    static Tensor apply(Tape tape, SoftSelectionEmbedding layer, boolean withTable, boolean withAlpha, int[] ids,
        float[] scales, int count, int... shape) {
      int d = layer.dim();
      int rows = layer.rows();
      if (Tensor.sizeOf(shape) != count * d) {
        throw new IllegalArgumentException("soft selection lookup: " + count + " rows of " + d + " do not fill shape "
            + java.util.Arrays.toString(shape));
      }
      Tensor out = tape.output(true, shape);
      float[] a = layer.alpha.data();
      float[] y = out.data();
      boolean list = withTable && tape.isListingRows();
      for (int i = 0; i < count; i++) {
        int id = ids[i];
        if (id < 0 || id >= rows) {
          throw new IllegalArgumentException("feature id " + id + " is outside the embedding table " + layer.name
              + " of " + rows + " rows");
        }
        float s = scales == null ? 1f : scales[i];
        int slot = !withTable ? -1 : list ? layer.table.admit(id) : layer.table.slot(id);
        float[] e = layer.table.data(); // after admit, which may grow a compact table
        int from = slot * d;
        int sel = layer.blocks.blockOf(id) * d;
        int to = i * d;
        for (int j = 0; j < d; j++) {
          y[to + j] = (withTable ? e[from + j] * s : 1f) * (withAlpha ? a[sel + j] : 1f);
        }
        if (list) {
          layer.table.touchRow(slot); // as backward will
        }
      }
      tape.record(new Lookup(layer, withTable, withAlpha, ids, scales, count, out));
      return out;
    }

    @Override
    protected void backward() {
      float[] g = out.grad();
      float[] e = layer.table.data();
      float[] ge = layer.table.grad();
      float[] a = layer.alpha.data();
      float[] ga = layer.alpha.grad();
      int d = layer.dim();
      for (int i = 0; i < count; i++) {
        int id = ids[i];
        float s = scales == null ? 1f : scales[i];
        int slot = withTable ? layer.table.slot(id) : 0;
        int row = slot * d;
        int sel = layer.blocks.blockOf(id) * d;
        int from = i * d;
        for (int j = 0; j < d; j++) {
          if (withTable) {
            ge[row + j] += g[from + j] * s * (withAlpha ? a[sel + j] : 1f); // ∂/∂E[id, j]
          }
          if (withAlpha) {
            ga[sel + j] += g[from + j] * (withTable ? e[row + j] * s : 1f); // ∂/∂α[b, j]
          }
        }
        if (withTable) {
          layer.table.touchRow(slot);
        }
      }
    }
  }
}
