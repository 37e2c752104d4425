package dev.sparkrec.train;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.optim.Optimizer;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * SGD with momentum, {@code v ← μ·v + g; θ ← θ − lr·v} (lazily on the touched rows of sparse tables): a
 * test optimizer with one slot per parameter, to exercise slot averaging and checkpointing.
 */
final class MomentumSgd extends Optimizer {

  private final float momentum;
  private final Map<Parameter, float[]> velocity = new IdentityHashMap<>();

  MomentumSgd(double learningRate, double momentum) {
    super(learningRate);
    this.momentum = (float) momentum;
  }

  @Override
  protected void update(Parameter p) {
    float lr = (float) learningRate();
    float[] v = slots(p).get(0);
    float[] w = p.data();
    float[] g = p.grad();
    if (p.isSparseRows()) {
      int d = p.rowSize();
      int[] rows = p.touchedRows();
      for (int r = 0; r < p.touchedCount(); r++) {
        for (int i = rows[r] * d, end = i + d; i < end; i++) {
          v[i] = momentum * v[i] + g[i];
          w[i] -= lr * v[i];
        }
      }
    } else {
      for (int i = 0; i < p.size(); i++) {
        v[i] = momentum * v[i] + g[i];
        w[i] -= lr * v[i];
      }
    }
  }

  @Override
  public List<float[]> slots(Parameter p) {
    float[] v = velocity.get(p);
    if (v == null || v.length != p.size()) { // new, or a compact table's size changed
      v = new float[p.size()];
      velocity.put(p, v);
    }
    return List.of(v);
  }
}
