package dev.sparkrec.nn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.layers.BatchNorm;
import dev.sparkrec.nn.layers.Mlp;
import org.junit.jupiter.api.Test;

/** A graph rebuilt on a reset tape reuses the tape's buffers: after the first pass nothing new is allocated. */
class TapeReuseTest {

  private final Tensor embeddings = GradientCheck.randomVariable(1, -1, 1, 8, 3, 4); // [B, F, K]
  private final Parameter logWeights = Parameter.dense("log.weight", 3, 5);
  private final BatchNorm logNorm = new BatchNorm("log.bn", 3, 2);
  private final Mlp mlp = Mlp.builder("dnn", 20).hidden(6).batchNorm(true).dropout(0.2).seed(3).build();
  private final float[] labels = {1, 0, 0, 1, 1, 0, 1, 0};

  private Tensor loss(Tape t) {
    // AFN-like branch: ln of clamped |e|, per-field batch norm, log neurons, exp, MLP
    Tensor logs = Log.apply(t, Clamp.apply(t, Abs.apply(t, embeddings), 1e-4f, Float.POSITIVE_INFINITY));
    Tensor normed = logNorm.forward(t, Transpose.apply(t, logs)); // [B, K, F]
    Tensor neurons = Exp.apply(t, Tanh.apply(t, MatMul.apply(t, normed, logWeights.tensor()))); // [B, K, 5]
    Tensor logit = mlp.forward(t, Reshape.apply(t, neurons, 8, 20)); // [B, 1]
    Tensor bce = BceWithLogits.apply(t, logit, labels, null);
    // other ops: softmax over [logit, −logit], broadcasting, reductions, a stopped gradient, dropout
    Tensor pair = Softmax.apply(t, Concat.apply(t, logit, Scale.apply(t, logit, -1f)), 1);
    Tensor centred = Sub.apply(t, pair, Mean.apply(t, pair, 0));
    Tensor spread = Mean.apply(t, Mul.apply(t, centred, Sigmoid.apply(t, StopGradient.apply(t, logit))));
    Tensor dropped = Sum.apply(t, DropoutOp.apply(t, AddScalar.apply(t, embeddings, 1f), 0.5), 2); // [B, F]
    Tensor mse = MseLoss.apply(t, dropped, Tensor.constant(new float[24], 8, 3));
    // a Woodbury-form ridge over two groups: Xᵀ(XXᵀ + I)⁻¹Y
    Tensor x = Reshape.apply(t, embeddings, 2, 4, 12);
    Tensor gram = Add.apply(t, BatchedMatMul.apply(t, x, x, false, true), eye(4));
    Tensor y = Reshape.apply(t, Sum.apply(t, x, 2), 2, 4, 1);
    Tensor ridge = Sum.apply(t, BatchedMatMul.apply(t, x, BatchedSolve.apply(t, gram, y), true, false));
    return Add.apply(t, Add.apply(t, Add.apply(t, bce, spread), mse), Scale.apply(t, ridge, 0.01f));
  }

  private static Tensor eye(int d) {
    float[] data = new float[d * d];
    for (int i = 0; i < d; i++) {
      data[i * d + i] = 1f;
    }
    return Tensor.constant(data, d, d);
  }

  @Test
  void aSecondPassAllocatesNoBuffers() {
    GradientCheck.randomize(logWeights, 2, -0.5, 0.5);
    Tape tape = new Tape();
    Tensor first = loss(tape.seed(5));
    float firstLoss = first.item();
    int ops = tape.recordedOps();
    tape.backward(first);
    int allocated = tape.allocatedBuffers();
    assertTrue(allocated > 30, "the first pass fills the pool: " + allocated);
    for (int pass = 0; pass < 2; pass++) {
      tape.reset();
      Tensor again = loss(tape.seed(5));
      tape.backward(again);
      assertEquals(ops, tape.recordedOps());
      assertEquals(allocated, tape.allocatedBuffers(), "pass " + (pass + 2) + " allocated new buffers");
      assertEquals(firstLoss, again.item(), "the same inputs and seed give the same loss");
    }
  }
}
