package dev.sparkrec.nn.embedding;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A table stored as one table per feature block, each of its own width: block {@code b} keeps
 * {@code rows(b) × d_b} entries (parameter {@code <name>.block<b>}, sparse rows; none when {@code d_b = 0}), and a
 * looked-up vector is its block row projected to the model width by a fixed 0/1 projection: the block's kept model
 * dimensions ({@link BlockDimensions#kept}, by default the leading {@code d_b}) carry the stored entries, the
 * others are zero. This is the pruned model of input search (pruned dimensions are zero) with only the kept entries
 * in memory and on disk; a block interacts with the others in the dimensions they keep in common.
 *
 * <p>Entries start N(0, σ²) of the logical table's initialiser, or, when given, at the kept entries of a full
 * {@code rows × dim} table (a searched model's, to retrain it with its pruned dimensions).
 */
public final class MixedDimensionEmbedding implements EmbeddingTable {

  private final String name;
  private final int dim;
  private final FeatureBlocks blocks;
  private final int[] dims;
  private final int[][] kept;
  private final Parameter[] tables;
  private final List<Parameter> parameters;

  public MixedDimensionEmbedding(String name, int rows, int dim, BlockDimensions dimensions, TableInit init,
      long seed) {
    this(name, rows, dim, dimensions, init, seed, null);
  }

  /**
   * The table with its entries taken from {@code initial} (a full {@code rows × w} table, {@code w} at least the
   * dimensions' span, whose kept entries it stores), or drawn from {@code init} when {@code initial} is null.
   */
  public MixedDimensionEmbedding(String name, int rows, int dim, BlockDimensions dimensions, TableInit init,
      long seed, float[] initial) {
    FeatureBlocks b = dimensions.blocks();
    b.requireRows(name, rows);
    if (dimensions.span() > dim) {
      throw new IllegalArgumentException("The embedding dimensions for table '" + name + "' reach "
          + dimensions.span() + " but the model's embedding dimension is " + dim + "; set embeddingDim to at least "
          + dimensions.span() + ".");
    }
    int initialWidth = initial == null ? 0 : initial.length / rows;
    if (initial != null && (initial.length % rows != 0 || initialWidth < dimensions.span())) {
      throw new IllegalArgumentException("The initial values of table '" + name + "' hold " + initial.length
          + " floats, not " + rows + " rows of at least " + dimensions.span() + ".");
    }
    this.name = name;
    this.dim = dim;
    this.blocks = b;
    this.dims = dimensions.dims();
    this.kept = new int[b.numBlocks()][];
    for (int k = 0; k < kept.length; k++) {
      kept[k] = dimensions.kept(k);
    }
    this.tables = new Parameter[b.numBlocks()];
    List<Parameter> all = new ArrayList<>();
    SplittableRandom seeds = new SplittableRandom(seed);
    for (int k = 0; k < tables.length; k++) {
      long blockSeed = seeds.nextLong();
      if (dims[k] > 0 && b.blockSize(k) > 0) {
        tables[k] = Parameter.sparseRows(blockName(name, k), b.blockSize(k), dims[k]);
        init.initialize(tables[k], rows, dim, blockSeed);
        all.add(tables[k]);
      }
    }
    this.parameters = Collections.unmodifiableList(all);
    if (initial != null) {
      for (int r = 0; r < rows; r++) {
        int k = b.blockOf(r);
        if (tables[k] != null && !tables[k].isCompact()) { // a compact table's rows are loaded later
          float[] t = tables[k].data();
          int to = b.localRow(r) * dims[k];
          for (int j = 0; j < dims[k]; j++) {
            t[to + j] = initial[r * initialWidth + kept[k][j]];
          }
        }
      }
    }
  }

  /** The parameter name of block {@code b} of table {@code table}. */
  public static String blockName(String table, int b) {
    return table + ".block" + b;
  }

  public FeatureBlocks blocks() {
    return blocks;
  }

  /** The width of every block (a copy). */
  public int[] dims() {
    return dims.clone();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int rows() {
    return blocks.rows();
  }

  @Override
  public int dim() {
    return dim;
  }

  @Override
  public Tensor lookUp(Tape tape, int[] ids, float[] scales, int count, int... shape) {
    return Lookup.apply(tape, this, ids, scales, count, shape);
  }

  /** The 0/1 mask of each id's kept dimensions (constant): its block's kept dimensions carry 1. */
  @Override
  public Tensor selection(Tape tape, int[] ids, int count, int... shape) {
    if (Tensor.sizeOf(shape) != count * dim) {
      throw new IllegalArgumentException("mixed-dimension selection: " + count + " rows of " + dim
          + " do not fill shape " + java.util.Arrays.toString(shape));
    }
    float[] mask = new float[count * dim];
    for (int i = 0; i < count; i++) {
      for (int j : kept[blocks.blockOf(ids[i])]) {
        mask[i * dim + j] = 1f;
      }
    }
    return Tensor.constant(mask, shape);
  }

  @Override
  public float[] toDense() {
    float[] out = new float[Math.multiplyExact(rows(), dim)];
    for (int r = 0; r < rows(); r++) {
      int b = blocks.blockOf(r);
      if (tables[b] != null) {
        float[] t = tables[b].data();
        int from = blocks.localRow(r) * dims[b];
        for (int j = 0; j < dims[b]; j++) {
          out[r * dim + kept[b][j]] = t[from + j];
        }
      }
    }
    return out;
  }

  @Override
  public long embeddingParameterCount() {
    long n = 0;
    for (Parameter p : parameters) {
      n += p.size();
    }
    return n;
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  /**
   * {@code out_i} holds {@code T_b[local(id_i)]·s_i} at block {@code b = block(id_i)}'s kept dimensions, zero
   * elsewhere; gradients go to the touched rows.
   */
  private static final class Lookup extends Op {
    private final MixedDimensionEmbedding layer;
    private final int[] ids;
    private final float[] scales;
    private final int count;
    private final Tensor out;

    private Lookup(MixedDimensionEmbedding layer, int[] ids, float[] scales, int count, Tensor out) {
      this.layer = layer;
      this.ids = ids;
      this.scales = scales;
      this.count = count;
      this.out = out;
    }

    static Tensor apply(Tape tape, MixedDimensionEmbedding layer, int[] ids, float[] scales, int count,
        int... shape) {
      int d = layer.dim;
      int rows = layer.rows();
      if (Tensor.sizeOf(shape) != count * d) {
        throw new IllegalArgumentException("mixed-dimension lookup: " + count + " rows of " + d
            + " do not fill shape " + java.util.Arrays.toString(shape));
      }
      boolean grad = !layer.parameters.isEmpty();
      boolean list = grad && tape.isListingRows();
      Tensor out = tape.output(grad, shape);
      float[] y = out.data();
      for (int i = 0; i < count; i++) {
        int id = ids[i];
        if (id < 0 || id >= rows) {
          throw new IllegalArgumentException("feature id " + id + " is outside the embedding table " + layer.name
              + " of " + rows + " rows");
        }
        int b = layer.blocks.blockOf(id);
        int w = layer.dims[b];
        int to = i * d;
        java.util.Arrays.fill(y, to, to + d, 0f);
        Parameter t = layer.tables[b];
        if (t != null) {
          float s = scales == null ? 1f : scales[i];
          int local = layer.blocks.localRow(id);
          int slot = list ? t.admit(local) : t.slot(local);
          float[] src = t.data(); // after admit, which may grow a compact table
          int[] at = layer.kept[b];
          int from = slot * w;
          for (int j = 0; j < w; j++) {
            y[to + at[j]] = src[from + j] * s;
          }
          if (list) {
            t.touchRow(slot); // as backward will
          }
        }
      }
      if (grad) {
        tape.record(new Lookup(layer, ids, scales, count, out));
      }
      return out;
    }

    @Override
    protected void backward() {
      float[] g = out.grad();
      int d = layer.dim;
      for (int i = 0; i < count; i++) {
        int id = ids[i];
        int b = layer.blocks.blockOf(id);
        Parameter t = layer.tables[b];
        if (t == null) {
          continue;
        }
        int w = layer.dims[b];
        float s = scales == null ? 1f : scales[i];
        int slot = t.slot(layer.blocks.localRow(id));
        float[] gt = t.grad();
        int[] at = layer.kept[b];
        int to = slot * w;
        int from = i * d;
        for (int j = 0; j < w; j++) {
          gt[to + j] += g[from + at[j]] * s;
        }
        t.touchRow(slot);
      }
    }
  }
}
