package dev.sparkrec.nn.embedding;

import static dev.sparkrec.nn.GradientCheck.assertGradients;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck;
import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The soft selection layer: ẽ = E[id] ⊙ α[block(id)] · x, its gradients and its layout. */
class SoftSelectionEmbeddingTest {

  private static final FeatureBlocks BLOCKS = new FeatureBlocks(3, new int[] {0, 0, 1, 2, 1, 2});

  private static SoftSelectionEmbedding layer() {
    SoftSelectionEmbedding layer = new SoftSelectionEmbedding("emb", 6, 4, BLOCKS, TableInit.normal(0.5), 3);
    GradientCheck.randomize(layer.alpha(), 5, 0.2, 1.0);
    return layer;
  }

  @Test
  void lookUpScalesEveryDimensionByItsBlocksWeight() {
    SoftSelectionEmbedding layer = layer();
    int[] ids = {2, 5};
    float[] scales = {1f, 0.5f};
    Tensor out = layer.lookUp(new Tape(), ids, scales, 2, 2, 4);
    float[] e = layer.table().data();
    float[] a = layer.alpha().data();
    for (int j = 0; j < 4; j++) {
      assertEquals(e[2 * 4 + j] * a[4 + j], out.data()[j], 1e-7); // row 2 is in block 1
      assertEquals(e[5 * 4 + j] * a[2 * 4 + j] * 0.5f, out.data()[4 + j], 1e-7); // row 5 in block 2
    }
    float[] dense = layer.toDense();
    for (int j = 0; j < 4; j++) {
      assertEquals(e[3 * 4 + j] * a[2 * 4 + j], dense[3 * 4 + j], 1e-7);
    }
    assertEquals(24, layer.embeddingParameterCount());
    assertEquals(List.of("emb", "emb.alpha"), layer.parameters().stream().map(p -> p.name()).toList());
  }

  @Test
  void selectionStartsAtOne() {
    SoftSelectionEmbedding layer = new SoftSelectionEmbedding("emb", 6, 4, BLOCKS, TableInit.normal(0.5), 3);
    for (float v : layer.alpha().data()) {
      assertEquals(1f, v);
    }
    assertArrayEquals(new int[] {3, 4}, layer.alpha().shape());
  }

  @Test
  void gradientsOfTheTableAndTheSelection() {
    SoftSelectionEmbedding layer = layer();
    int[] ids = {0, 2, 5, 2, 1, 3};
    float[] scales = {1f, 0.7f, 1.3f, 1f, 0.4f, 0.9f};
    assertGradients(t -> layer.lookUp(t, ids, scales, 6, 3, 2, 4), Input.of(layer.table()), Input.of(layer.alpha()));
    Tape tape = new Tape();
    layer.lookUp(tape, ids, null, 6, 6, 4);
    assertTrue(layer.table().touchedCount() == 0, "forward alone touches nothing");
  }

  @Test
  void unselectedVectorsTimesTheSelectionAreTheLookUp() {
    SoftSelectionEmbedding layer = layer();
    int[] ids = {0, 2, 5, 3};
    float[] scales = {1f, 0.7f, 1.3f, 0.4f};
    float[] selected = layer.lookUp(new Tape(), ids, scales, 4, 4, 4).data();
    float[] unselected = layer.lookUpUnselected(new Tape(), ids, scales, 4, 4, 4).data();
    float[] weights = layer.selection(new Tape(), ids, 4, 4, 4).data();
    float[] e = layer.table().data();
    float[] a = layer.alpha().data();
    for (int j = 0; j < 4; j++) {
      assertEquals(e[5 * 4 + j] * 1.3f, unselected[2 * 4 + j], 1e-7); // row 5: the table's row, scaled
      assertEquals(a[2 * 4 + j], weights[2 * 4 + j], 0f); // row 5 is in block 2
    }
    for (int i = 0; i < selected.length; i++) {
      assertEquals(selected[i], unselected[i] * weights[i], 1e-6);
    }
  }

  @Test
  void gradientsOfTheUnselectedVectorsAndOfTheSelectionApart() {
    SoftSelectionEmbedding layer = layer();
    int[] ids = {0, 2, 5, 2, 1, 3};
    float[] scales = {1f, 0.7f, 1.3f, 1f, 0.4f, 0.9f};
    assertGradients(t -> layer.lookUpUnselected(t, ids, scales, 6, 6, 4), Input.of(layer.table()));
    assertGradients(t -> layer.selection(t, ids, 6, 3, 2, 4), Input.of(layer.alpha()));
    Tape tape = new Tape();
    tape.backward(dev.sparkrec.nn.ops.Sum.apply(tape, layer.lookUpUnselected(tape, ids, scales, 6, 6, 4)));
    assertTrue(layer.table().touchedCount() > 0);
    for (float g : layer.alpha().grad()) {
      assertEquals(0f, g, "the unselected lookup passes no gradient to α");
    }
  }

  @Test
  void blocksForAnotherVocabularyFailNamingTheTable() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SoftSelectionLayout(java.util.Map.of("emb", BLOCKS)).create("emb", 7, 4, TableInit.normal(1), 1));
    assertTrue(e.getMessage().contains("'emb'") && e.getMessage().contains("6 rows")
        && e.getMessage().contains("7 rows"), e.getMessage());
  }

  @Test
  void tablesWithoutBlocksStayFull() {
    EmbeddingTable other = new SoftSelectionLayout(java.util.Map.of("emb", BLOCKS))
        .create("other", 9, 2, TableInit.normal(1), 1);
    assertTrue(other instanceof dev.sparkrec.nn.layers.Embedding);
  }
}
