package dev.sparkrec.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.layers.Embedding;
import dev.sparkrec.nn.layers.Linear;
import dev.sparkrec.nn.ops.BceWithLogits;
import dev.sparkrec.nn.ops.GatherRows;
import dev.sparkrec.nn.ops.MatMul;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Adam's dense and lazy sparse updates, its slots and its convergence. */
class AdamTest {

  @Test
  void firstTwoStepsMatchTheHandComputedValues() {
    Parameter theta = Parameter.dense("theta", 1);
    theta.data()[0] = 1f;
    Adam adam = new Adam(0.01); // β1 0.9, β2 0.999, ε 1e-8
    List<Parameter> params = List.of(theta);

    // t = 1, g = 0.5: m = 0.1·0.5 = 0.05, v = 0.001·0.25 = 0.00025,
    // m̂ = 0.05/(1−0.9) = 0.5, v̂ = 0.00025/(1−0.999) = 0.25, θ = 1 − 0.01·0.5/(0.5 + 1e-8) = 0.9900000002
    theta.grad()[0] = 0.5f;
    adam.step(params);
    assertEquals(1, adam.steps());
    assertEquals(0.05, adam.slots(theta).get(0)[0], 1e-9);
    assertEquals(0.00025, adam.slots(theta).get(1)[0], 1e-10);
    assertEquals(0.9900000002, theta.data()[0], 1e-7);
    assertEquals(0f, theta.grad()[0], "step zeroes the gradient");

    // t = 2, g = −1: m = 0.9·0.05 + 0.1·(−1) = −0.055, v = 0.999·0.00025 + 0.001·1 = 0.00124975,
    // m̂ = −0.055/(1−0.81) = −0.2894736842, v̂ = 0.00124975/(1−0.998001) = 0.6251875938, √v̂ = 0.7906880509,
    // θ = 0.9900000002 + 0.01·0.2894736842/(0.7906880509 + 1e-8) = 0.9936610354
    theta.grad()[0] = -1f;
    adam.step(params);
    assertEquals(-0.055, adam.slots(theta).get(0)[0], 1e-9);
    assertEquals(0.00124975, adam.slots(theta).get(1)[0], 1e-10);
    assertEquals(0.9936610354, theta.data()[0], 1e-7);
  }

  @Test
  void epsilonIsAddedAfterTheBiasCorrectionAsInPyTorch() {
    Parameter theta = Parameter.dense("theta", 1);
    theta.data()[0] = 1f;
    Adam adam = new Adam(0.01, 0.9, 0.999, 0.1);
    theta.grad()[0] = 0.5f;
    adam.step(List.of(theta));
    // PyTorch: θ = 1 − 0.01·0.5/(√0.25 + 0.1) = 1 − 0.005/0.6 = 0.9916666667
    // (TensorFlow's form 1 − 0.01·√0.001/0.1·0.05/(√0.00025 + 0.1) would give 0.9986347294)
    assertEquals(0.9916666667, theta.data()[0], 1e-7);
  }

  @Test
  void logisticRegressionOnSeparableDataConverges() {
    int n = 200;
    int features = 4;
    float[] x = new float[n * features];
    float[] y = new float[n];
    double[] truth = {1.5, -2.0, 0.5, 1.0};
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < n; ) {
      double score = 0;
      for (int j = 0; j < features; j++) {
        x[i * features + j] = (float) random.nextDouble(-1, 1);
        score += truth[j] * x[i * features + j];
      }
      if (Math.abs(score) >= 0.2) { // keep a margin so the classes are separable
        y[i++] = score > 0 ? 1f : 0f;
      }
    }
    Linear model = new Linear("logistic", features, 1, 5);
    Adam adam = new Adam(0.1);
    Tensor input = Tensor.constant(x, n, features);
    Tape tape = new Tape();
    float first = 0;
    float loss = 0;
    for (int step = 0; step < 400; step++) {
      tape.reset();
      Tensor l = BceWithLogits.apply(tape, model.forward(tape, input), y, null);
      loss = l.item();
      if (step == 0) {
        first = loss;
      }
      tape.backward(l);
      adam.step(model.parameters());
    }
    assertTrue(first > 0.3, "starts far from the optimum: " + first);
    assertTrue(loss < 0.05, "final loss " + loss);
  }

  /** Logistic loss of a batch that looks up {@code ids} and sums each row against a fixed vector. */
  private static void backwardOnRows(Embedding embedding, int[] ids, float[] labels) {
    Tape tape = new Tape();
    Tensor rows = GatherRows.apply(tape, embedding.table(), ids, null, ids.length, ids.length, 3);
    Tensor logits = MatMul.apply(tape, rows, Tensor.constant(new float[] {1f, -0.5f, 2f}, 3, 1));
    tape.backward(BceWithLogits.apply(tape, logits, labels, null));
  }

  private static float[] row(float[] data, int row, int d) {
    return Arrays.copyOfRange(data, row * d, row * d + d);
  }

  @Test
  void lazySparseUpdateTouchesOnlyTheLookedUpRowsAndMatchesDenseAdamOnThem() {
    Embedding embedding = new Embedding("emb", 6, 3, 0.5, 11);
    Parameter table = embedding.table();
    float[] initial = Arrays.copyOf(table.data(), table.size());
    // dense counterparts of rows 1 and 3, stepped by their own Adam with the same step count
    Parameter denseRow1 = Parameter.dense("row1", 1, 3);
    Parameter denseRow3 = Parameter.dense("row3", 1, 3);
    System.arraycopy(table.data(), 3, denseRow1.data(), 0, 3);
    System.arraycopy(table.data(), 9, denseRow3.data(), 0, 3);
    Adam sparseAdam = new Adam(0.05);
    Adam denseAdam = new Adam(0.05);

    int[][] batches = {{1, 3, 1}, {3, 3, 1}, {1, 3, 3}};
    float[][] labels = {{1, 0, 0}, {0, 1, 1}, {1, 1, 0}};
    for (int b = 0; b < batches.length; b++) {
      backwardOnRows(embedding, batches[b], labels[b]);
      assertEquals(2, table.touchedCount());
      System.arraycopy(table.grad(), 3, denseRow1.grad(), 0, 3);
      System.arraycopy(table.grad(), 9, denseRow3.grad(), 0, 3);
      sparseAdam.step(List.of(table));
      denseAdam.step(List.of(denseRow1, denseRow3));
      assertArrayEquals(denseRow1.data(), row(table.data(), 1, 3));
      assertArrayEquals(denseRow3.data(), row(table.data(), 3, 3));
    }
    for (int r : new int[] {0, 2, 4, 5}) {
      assertArrayEquals(row(initial, r, 3), row(table.data(), r, 3), "untouched row " + r + " is bit for bit unchanged");
      assertArrayEquals(new float[3], row(sparseAdam.slots(table).get(0), r, 3), "m of untouched row " + r);
      assertArrayEquals(new float[3], row(sparseAdam.slots(table).get(1), r, 3), "v of untouched row " + r);
    }
    assertArrayEquals(denseAdam.slots(denseRow1).get(0), row(sparseAdam.slots(table).get(0), 1, 3));
    assertArrayEquals(denseAdam.slots(denseRow3).get(1), row(sparseAdam.slots(table).get(1), 3, 3));

    // A batch touching only row 1: row 3 keeps its values and moments although its m is non-zero
    // (dense Adam would keep moving it); row 1 is corrected with the global step t = 4.
    float[] row3Before = row(table.data(), 3, 3);
    float[] m3Before = row(sparseAdam.slots(table).get(0), 3, 3);
    float[] v3Before = row(sparseAdam.slots(table).get(1), 3, 3);
    backwardOnRows(embedding, new int[] {1, 1}, new float[] {0, 1});
    assertEquals(1, table.touchedCount());
    System.arraycopy(table.grad(), 3, denseRow1.grad(), 0, 3);
    sparseAdam.step(List.of(table));
    denseAdam.step(List.of(denseRow1));
    assertEquals(4, sparseAdam.steps());
    assertArrayEquals(row3Before, row(table.data(), 3, 3));
    assertArrayEquals(m3Before, row(sparseAdam.slots(table).get(0), 3, 3));
    assertArrayEquals(v3Before, row(sparseAdam.slots(table).get(1), 3, 3));
    assertArrayEquals(denseRow1.data(), row(table.data(), 1, 3));
    assertNotEquals(0f, m3Before[0]);
  }

  @Test
  void slotsAreLiveStableArraysSoCopyingThemRestoresTheState() {
    float[] x = {0.5f, -1f, 1f, 0.25f, -0.5f, 0.75f};
    float[] y = {1f, 0f, 1f};
    Linear a = new Linear("lin", 2, 1, 9);
    Adam adamA = new Adam(0.1);
    for (int s = 0; s < 3; s++) {
      trainStep(a, adamA, x, y);
    }
    Parameter w = a.weight();
    assertSame(adamA.slots(w).get(0), adamA.slots(w).get(0));
    assertSame(adamA.slots(w).get(1), adamA.slots(w).get(1));
    assertEquals(w.size(), adamA.slots(w).get(0).length);

    // restore a fresh model and optimizer from the state after 3 steps
    Linear b = new Linear("lin", 2, 1, 123);
    Adam adamB = new Adam(0.1);
    for (int i = 0; i < a.parameters().size(); i++) {
      Parameter from = a.parameters().get(i);
      Parameter to = b.parameters().get(i);
      System.arraycopy(from.data(), 0, to.data(), 0, from.size());
      for (int k = 0; k < 2; k++) {
        float[] source = adamA.slots(from).get(k);
        System.arraycopy(source, 0, adamB.slots(to).get(k), 0, source.length);
      }
    }
    adamB.setSteps(adamA.steps());
    for (int s = 0; s < 2; s++) {
      trainStep(a, adamA, x, y);
      trainStep(b, adamB, x, y);
    }
    assertArrayEquals(a.weight().data(), b.weight().data());
    assertArrayEquals(a.bias().data(), b.bias().data());
    assertEquals(5, adamB.steps());
  }

  private static void trainStep(Linear model, Optimizer optimizer, float[] x, float[] y) {
    Tape tape = new Tape();
    tape.backward(BceWithLogits.apply(tape, model.forward(tape, Tensor.constant(x, 3, 2)), y, null));
    optimizer.step(model.parameters());
  }

  @Test
  void stateParametersAreNeitherSteppedNorGivenSlots() {
    Parameter state = Parameter.state("bn.runningMean", 2);
    state.data()[0] = 3f;
    state.grad()[0] = 1f;
    Adam adam = new Adam(0.1);
    adam.step(List.of(state));
    assertEquals(3f, state.data()[0]);
    assertEquals(List.of(), adam.slots(state));
  }

  @Test
  void rejectsInvalidHyperParameters() {
    assertThrows(IllegalArgumentException.class, () -> new Adam(0));
    assertThrows(IllegalArgumentException.class, () -> new Adam(0.1, 1.0, 0.999, 1e-8));
    assertThrows(IllegalArgumentException.class, () -> new Adam(0.1, 0.9, -0.1, 1e-8));
    assertThrows(IllegalArgumentException.class, () -> new Adam(0.1, 0.9, 0.999, 0));
  }
}
