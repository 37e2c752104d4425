package dev.sparkrec.nn.layers;

import static dev.sparkrec.nn.GradientCheck.assertGradients;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck;
import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import org.junit.jupiter.api.Test;

/** Values, initialisation and gradient checks of the Linear and Embedding layers. */
class LinearEmbeddingTest {

  @Test
  void linearComputesXWPlusB() {
    Linear layer = new Linear("fc", 2, 3, 1);
    System.arraycopy(new float[] {1, 2, 3, 4, 5, 6}, 0, layer.weight().data(), 0, 6);
    System.arraycopy(new float[] {0.5f, -1, 0}, 0, layer.bias().data(), 0, 3);
    Tensor y = layer.forward(new Tape(), Tensor.constant(new float[] {1, 1, 2, 0}, 2, 2));
    assertArrayEquals(new float[] {5.5f, 6, 9, 2.5f, 3, 6}, y.toArray());
    assertEquals(2, layer.parameters().size());
  }

  @Test
  void linearInitIsXavierUniformAndSeeded() {
    Linear a = new Linear("fc", 300, 200, 7);
    Linear b = new Linear("fc", 300, 200, 7);
    assertArrayEquals(a.weight().data(), b.weight().data());
    double limit = Math.sqrt(6.0 / 500);
    for (float w : a.weight().data()) {
      assertTrue(Math.abs(w) <= limit, "within the Xavier bound");
    }
    for (float bias : a.bias().data()) {
      assertEquals(0f, bias);
    }
  }

  @Test
  void linearGradients() {
    Linear layer = new Linear("fc", 4, 3, 2);
    GradientCheck.randomize(layer.bias(), 3, -0.5, 0.5);
    Tensor x = GradientCheck.randomVariable(4, -1, 1, 5, 4);
    assertGradients(t -> layer.forward(t, x), Input.of("x", x), Input.of(layer.weight()), Input.of(layer.bias()));
  }

  @Test
  void embeddingLooksUpScaledRowsWithSparseGradients() {
    Embedding embedding = new Embedding("emb", 8, 3, 0.1, 5);
    int[] ids = {2, 7, 2};
    float[] values = {1f, 0.5f, 2f};
    Tensor e = embedding.forward(new Tape(), ids, values, 3, 1, 3, 3);
    assertEquals(embedding.table().data()[7 * 3] * 0.5f, e.data()[3]);
    assertGradients(t -> embedding.forward(t, ids, values, 3, 1, 3, 3), Input.of(embedding.table()));
    assertEquals(3, embedding.dim());
  }
}
