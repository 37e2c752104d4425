package dev.sparkrec.nn.layers;

import dev.sparkrec.nn.Initializers;
import dev.sparkrec.nn.Module;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.Add;
import dev.sparkrec.nn.ops.CausalSoftmaxAttention;
import dev.sparkrec.nn.ops.LightningAttention;
import dev.sparkrec.nn.ops.MatMul;
import dev.sparkrec.nn.ops.Mul;
import dev.sparkrec.nn.ops.RmsNorm;
import dev.sparkrec.nn.ops.Sigmoid;
import dev.sparkrec.nn.ops.Silu;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One lightning attention layer as MiniMax-01 computes it, over one sequence {@code x} of shape {@code [n, width]},
 * with a residual connection:
 * <pre>
 *   Q, K, V = SiLU(x·W_q), SiLU(x·W_k), SiLU(x·W_v)            (heads·d wide, no bias, no 1/√d)
 *   O       = lightning attention of Q, K, V per head           (decay λ_h, {@link LightningAttention#decays})
 *   y       = x + (σ(x·W_g) ⊙ RMSNorm(O)) · W_o                 (RMSNorm over all heads, eps 1e-6)
 * </pre>
 * Weights Xavier-uniform, the norm weight 1. Parameters {@code <name>.wq}, {@code .wk}, {@code .wv}, {@code .wg},
 * {@code .norm}, {@code .wo}. Memory and time linear in {@code n}.
 *
 * <p>A hybrid stack's softmax layers are the same block with causal softmax attention in place of lightning
 * attention ({@link #softmax}; quadratic in {@code n}). {@link #forward(Tape, Tensor, int[])} runs the block over
 * several sequences stored back to back, each attending only within itself.
 */
public final class LightningBlock implements Module {

  private static final double NORM_EPS = 1e-6;

  private final Parameter wq;
  private final Parameter wk;
  private final Parameter wv;
  private final Parameter wg;
  private final Parameter norm;
  private final Parameter wo;
  private final double[] decays;
  private final int heads;
  private final int blockSize;

  /**
   * A layer named {@code name} over {@code width}-wide inputs with {@code decays.length} heads of {@code headDim},
   * computing attention in blocks of {@code blockSize}; weights drawn from {@code seed}.
   */
  public LightningBlock(String name, int width, int headDim, double[] decays, int blockSize, long seed) {
    this(name, width, headDim, decays.length, decays.clone(), blockSize, seed);
  }

  /**
   * The hybrid stack's softmax layer named {@code name}: the block with causal softmax attention over
   * {@code heads} heads of {@code headDim}; weights drawn from {@code seed}.
   */
  public static LightningBlock softmax(String name, int width, int headDim, int heads, long seed) {
    return new LightningBlock(name, width, headDim, heads, null, 1, seed);
  }

  private LightningBlock(String name, int width, int headDim, int heads, double[] decays, int blockSize,
      long seed) {
    int inner = heads * headDim;
    if (width < 1 || headDim < 1 || heads < 1 || blockSize < 1) {
      throw new IllegalArgumentException("a lightning block needs width, headDim, heads and blockSize >= 1, got "
          + width + ", " + headDim + ", " + heads + ", " + blockSize);
    }
    SplittableRandom seeds = new SplittableRandom(seed);
    this.wq = projection(name + ".wq", width, inner, seeds.nextLong());
    this.wk = projection(name + ".wk", width, inner, seeds.nextLong());
    this.wv = projection(name + ".wv", width, inner, seeds.nextLong());
    this.wg = projection(name + ".wg", width, inner, seeds.nextLong());
    this.norm = Parameter.dense(name + ".norm", inner);
    Initializers.constant(norm, 1f);
    this.wo = projection(name + ".wo", inner, width, seeds.nextLong());
    this.decays = decays;
    this.heads = heads;
    this.blockSize = blockSize;
  }

  private static Parameter projection(String name, int in, int out, long seed) {
    Parameter p = Parameter.dense(name, in, out);
    Initializers.xavierUniform(p, in, out, seed);
    return p;
  }

  /** {@code x + (σ(x·W_g) ⊙ RMSNorm(LightningAttention(SiLU(x·W_q), SiLU(x·W_k), SiLU(x·W_v))))·W_o}. */
  public Tensor forward(Tape tape, Tensor x) {
    return forward(tape, x, new int[] {0, x.rows()});
  }

  /**
   * The block over sequences stored back to back in {@code x} ({@code [T, width]}): sequence {@code s} is rows
   * {@code [offsets[s], offsets[s+1])} and attends only to itself; the projections run on all rows at once.
   */
  public Tensor forward(Tape tape, Tensor x, int[] offsets) {
    Tensor q = Silu.apply(tape, MatMul.apply(tape, x, wq.tensor()));
    Tensor k = Silu.apply(tape, MatMul.apply(tape, x, wk.tensor()));
    Tensor v = Silu.apply(tape, MatMul.apply(tape, x, wv.tensor()));
    Tensor o = decays == null ? CausalSoftmaxAttention.applySegments(tape, q, k, v, heads, offsets)
        : LightningAttention.applySegments(tape, q, k, v, decays, blockSize, offsets);
    Tensor gate = Sigmoid.apply(tape, MatMul.apply(tape, x, wg.tensor()));
    Tensor gated = Mul.apply(tape, gate, RmsNorm.apply(tape, o, norm.tensor(), NORM_EPS));
    return Add.apply(tape, x, MatMul.apply(tape, gated, wo.tensor()));
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(wq, wk, wv, wg, norm, wo);
  }
}
