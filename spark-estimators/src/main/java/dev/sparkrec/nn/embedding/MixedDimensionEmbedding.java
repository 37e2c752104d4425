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
 * looked-up vector is its block row projected to the model width by the fixed projection {@code [I_{d_b} | 0]}:
 * the first {@code d_b} dimensions carry the stored entries, the rest are zero. This is the pruned model of input
 * search (pruned dimensions are zero) with only the kept entries in memory and on disk; blocks of the same table
 * share their leading dimensions, so a narrow block interacts with the others in the dimensions it keeps.
 */
public final class MixedDimensionEmbedding implements EmbeddingTable {

  private final String name;
  private final int dim;
  private final FeatureBlocks blocks;
  private final int[] dims;
  private final Parameter[] tables;
  private final List<Parameter> parameters;

  public MixedDimensionEmbedding(String name, int rows, int dim, BlockDimensions dimensions, TableInit init,
      long seed) {
    FeatureBlocks b = dimensions.blocks();
    b.requireRows(name, rows);
    if (dimensions.maxDim() > dim) {
      throw new IllegalArgumentException("The embedding dimensions for table '" + name + "' reach "
          + dimensions.maxDim() + " but the model's embedding dimension is " + dim + "; set embeddingDim to at least "
          + dimensions.maxDim() + ".");
    }
    this.name = name;
    this.dim = dim;
    this.blocks = b;
    this.dims = dimensions.dims();
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

  @Override
  public float[] toDense() {
    float[] out = new float[Math.multiplyExact(rows(), dim)];
    for (int r = 0; r < rows(); r++) {
      int b = blocks.blockOf(r);
      if (tables[b] != null) {
        System.arraycopy(tables[b].data(), blocks.localRow(r) * dims[b], out, r * dim, dims[b]);
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

  /** {@code out_i = [T_b[local(id_i)]·s_i, 0, …, 0]} with {@code b = block(id_i)}; gradients to the touched rows. */
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
        if (layer.tables[b] != null) {
          float s = scales == null ? 1f : scales[i];
          float[] src = layer.tables[b].data();
          int from = layer.blocks.localRow(id) * w;
          for (int j = 0; j < w; j++) {
            y[to + j] = src[from + j] * s;
          }
        } else {
          w = 0;
        }
        java.util.Arrays.fill(y, to + w, to + d, 0f);
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
        int local = layer.blocks.localRow(id);
        float[] gt = t.grad();
        int to = local * w;
        int from = i * d;
        for (int j = 0; j < w; j++) {
          gt[to + j] += g[from + j] * s;
        }
        t.touchRow(local);
      }
    }
  }
}
