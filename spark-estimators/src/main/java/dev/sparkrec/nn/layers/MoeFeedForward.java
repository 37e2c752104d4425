package dev.sparkrec.nn.layers;

import dev.sparkrec.nn.Initializers;
import dev.sparkrec.nn.Module;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.BatchedMatMul;
import dev.sparkrec.nn.ops.Concat;
import dev.sparkrec.nn.ops.LoadBalancingLoss;
import dev.sparkrec.nn.ops.MatMul;
import dev.sparkrec.nn.ops.Mul;
import dev.sparkrec.nn.ops.Reshape;
import dev.sparkrec.nn.ops.Silu;
import dev.sparkrec.nn.ops.TopKGates;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A mixture-of-experts feed-forward layer as MiniMax-01 routes it, over token rows {@code x} of shape
 * {@code [n, width]}: router logits {@code z = x·W_r} ({@code [n, E]}, no bias), the top-{@code k} gates
 * ({@link TopKGates}: softmax renormalised over each token's k best experts), and
 * {@code y_t = Σ_i g_ti·FFN_i(x_t)} with SwiGLU experts {@code FFN_i(x) = (SiLU(x·W1_i) ⊙ x·W3_i)·W2_i}; the
 * auxiliary load-balancing loss {@link LoadBalancingLoss} ({@code α·(1/E)·Σ f_i·m_i}) comes with the output.
 *
 * <p>Every expert runs on every token and unselected experts get gate 0, so the output and the gradients are those
 * of sparse dispatch at {@code E/k} times its compute: simple and exact, meant for the few experts of a recommender
 * layer. Parameters {@code <name>.router}, then {@code <name>.expert<i>.w1/.w3/.w2}; Xavier-uniform.
 */
public final class MoeFeedForward implements Module {

  /** The layer's output and its auxiliary load-balancing loss (one element). */
  public record Output(Tensor y, Tensor auxLoss) {}

  private final Parameter router;
  private final List<Parameter[]> experts = new ArrayList<>();
  private final List<Parameter> parameters = new ArrayList<>();
  private final int topK;
  private final double auxWeight;
  private final int width;

  /**
   * A layer named {@code name} over {@code width}-wide tokens with {@code numExperts} experts of hidden size
   * {@code hidden}, routing each token to its {@code topK} best, with load-balancing weight {@code auxWeight}
   * (MiniMax-01: 0.01).
   */
  public MoeFeedForward(String name, int width, int hidden, int numExperts, int topK, double auxWeight, long seed) {
    if (width < 1 || hidden < 1 || numExperts < 1 || topK < 1 || topK > numExperts || auxWeight < 0) {
      throw new IllegalArgumentException("an MoE layer needs width, hidden, experts >= 1, 1 <= topK <= experts and "
          + "auxWeight >= 0, got " + width + ", " + hidden + ", " + numExperts + ", " + topK + ", " + auxWeight);
    }
    SplittableRandom seeds = new SplittableRandom(seed);
    this.router = projection(name + ".router", width, numExperts, seeds.nextLong());
    parameters.add(router);
    for (int i = 0; i < numExperts; i++) {
      String expert = name + ".expert" + i;
      Parameter[] w = {projection(expert + ".w1", width, hidden, seeds.nextLong()),
          projection(expert + ".w3", width, hidden, seeds.nextLong()),
          projection(expert + ".w2", hidden, width, seeds.nextLong())};
      experts.add(w);
      parameters.addAll(List.of(w));
    }
    this.topK = topK;
    this.auxWeight = auxWeight;
    this.width = width;
  }

  private static Parameter projection(String name, int in, int out, long seed) {
    Parameter p = Parameter.dense(name, in, out);
    Initializers.xavierUniform(p, in, out, seed);
    return p;
  }

  /** The gated mixture of the experts' outputs {@code [n, width]} and the load-balancing loss. */
  public Output forward(Tape tape, Tensor x) {
    int n = x.rows();
    Tensor logits = MatMul.apply(tape, x, router.tensor());
    Tensor gates = TopKGates.apply(tape, logits, topK); // [n, E]
    Tensor[] outputs = new Tensor[experts.size()];
    for (int i = 0; i < outputs.length; i++) {
      Parameter[] w = experts.get(i);
      Tensor h = Mul.apply(tape, Silu.apply(tape, MatMul.apply(tape, x, w[0].tensor())),
          MatMul.apply(tape, x, w[1].tensor()));
      outputs[i] = MatMul.apply(tape, h, w[2].tensor()); // [n, width]
    }
    Tensor stacked = outputs.length == 1 ? outputs[0] : Concat.apply(tape, outputs); // [n, E·width]
    Tensor mixed = BatchedMatMul.apply(tape, Reshape.apply(tape, gates, n, 1, outputs.length),
        Reshape.apply(tape, stacked, n, outputs.length, width)); // Σ_i g_ti·y_ti  [n, 1, width]
    return new Output(Reshape.apply(tape, mixed, n, width), LoadBalancingLoss.apply(tape, logits, topK, auxWeight));
  }

  @Override
  public List<Parameter> parameters() {
    return List.copyOf(parameters);
  }
}
