package dev.sparkrec.nn.embedding;

import static dev.sparkrec.nn.GradientCheck.assertGradients;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck;
import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-block tables of their own widths, zero-padded to the model width; gradients and layout checks. */
class MixedDimensionEmbeddingTest {

  private static final FeatureBlocks BLOCKS = new FeatureBlocks(3, new int[] {0, 0, 1, 2, 1, 2, 0});
  private static final BlockDimensions DIMS = new BlockDimensions(BLOCKS, new int[] {4, 2, 0});

  private static MixedDimensionEmbedding layer() {
    MixedDimensionEmbedding layer = new MixedDimensionEmbedding("emb", 7, 4, DIMS, TableInit.normal(0.5), 3);
    for (Parameter p : layer.parameters()) {
      GradientCheck.randomize(p, p.name().hashCode(), -1, 1);
    }
    return layer;
  }

  @Test
  void storesOnlyEachBlocksWidth() {
    MixedDimensionEmbedding layer = layer();
    assertEquals(List.of("emb.block0", "emb.block1"), layer.parameters().stream().map(Parameter::name).toList());
    assertEquals(3 * 4 + 2 * 2, layer.embeddingParameterCount());
    assertEquals(DIMS.parameterCount(), layer.embeddingParameterCount());
  }

  @Test
  void lookUpPadsNarrowBlocksWithZeros() {
    MixedDimensionEmbedding layer = layer();
    int[] ids = {6, 4, 3};
    Tensor out = layer.lookUp(new Tape(), ids, new float[] {1f, 2f, 1f}, 3, 3, 4);
    float[] b0 = layer.parameters().get(0).data();
    float[] b1 = layer.parameters().get(1).data();
    for (int j = 0; j < 4; j++) {
      assertEquals(b0[2 * 4 + j], out.data()[j], 0f, "row 6 is the third row of block 0");
    }
    assertEquals(2 * b1[2], out.data()[4], 0f, "row 4 is the second row of block 1");
    assertEquals(2 * b1[3], out.data()[5], 0f);
    assertEquals(0f, out.data()[6]);
    assertEquals(0f, out.data()[7]);
    for (int j = 8; j < 12; j++) {
      assertEquals(0f, out.data()[j], "block 2 has no dimensions");
    }
    float[] dense = layer.toDense();
    assertEquals(b1[2], dense[4 * 4]);
    assertEquals(0f, dense[4 * 4 + 2]);
  }

  @Test
  void selectionIsTheMaskOfTheKeptDimensions() {
    BlockDimensions kept = new BlockDimensions(BLOCKS, new int[][] {{0, 1, 2, 3}, {1, 3}, {}});
    MixedDimensionEmbedding layer = new MixedDimensionEmbedding("emb", 7, 4, kept, TableInit.normal(0.5), 3);
    int[] ids = {6, 4, 3};
    float[] mask = layer.selection(new Tape(), ids, 3, 3, 4).data();
    assertTrue(java.util.Arrays.equals(new float[] {1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0}, mask),
        java.util.Arrays.toString(mask));
    float[] selected = layer.lookUp(new Tape(), ids, null, 3, 3, 4).data();
    float[] unselected = layer.lookUpUnselected(new Tape(), ids, null, 3, 3, 4).data();
    for (int i = 0; i < mask.length; i++) {
      assertEquals(selected[i], unselected[i] * mask[i], 0f);
    }
  }

  @Test
  void gradientsOfTheBlockTables() {
    MixedDimensionEmbedding layer = layer();
    int[] ids = {0, 2, 5, 2, 1, 6, 4, 3};
    float[] scales = {1f, 0.7f, 1.3f, 1f, 0.4f, 0.9f, 1.1f, 1f};
    Parameter[] params = layer.parameters().toArray(new Parameter[0]);
    assertGradients(t -> layer.lookUp(t, ids, scales, 8, 2, 4, 4), Input.of(params[0]), Input.of(params[1]));
  }

  @Test
  void aLayoutWiderThanTheModelOrForAnotherVocabularyFails() {
    MixedDimensionLayout layout = new MixedDimensionLayout(Map.of("emb", DIMS));
    IllegalArgumentException wide = assertThrows(IllegalArgumentException.class,
        () -> layout.create("emb", 7, 3, TableInit.normal(1), 1));
    assertTrue(wide.getMessage().contains("'emb'") && wide.getMessage().contains("reach 4"), wide.getMessage());
    IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
        () -> layout.create("emb", 8, 4, TableInit.normal(1), 1));
    assertTrue(rows.getMessage().contains("cover 7 rows") && rows.getMessage().contains("8 rows"), rows.getMessage());
  }

  @Test
  void sameSeedSameTables() {
    MixedDimensionEmbedding a = new MixedDimensionEmbedding("emb", 7, 4, DIMS, TableInit.normal(0.5), 3);
    MixedDimensionEmbedding b = new MixedDimensionEmbedding("emb", 7, 4, DIMS, TableInit.normal(0.5), 3);
    assertTrue(java.util.Arrays.equals(a.toDense(), b.toDense()));
  }

  @Test
  void keptDimensionsPlaceTheEntriesAndInitialValuesSeedThem() {
    FeatureBlocks blocks = new FeatureBlocks(2, new int[] {0, 1, 0});
    BlockDimensions kept = new BlockDimensions(blocks, new int[][] {{1, 3}, {0}});
    assertEquals(4, kept.span());
    float[] initial = {
        0.1f, 0.2f, 0.3f, 0.4f, // row 0, block 0: keeps 0.2 and 0.4
        1.1f, 1.2f, 1.3f, 1.4f, // row 1, block 1: keeps 1.1
        2.1f, 2.2f, 2.3f, 2.4f}; // row 2, block 0
    MixedDimensionEmbedding layer = new MixedDimensionEmbedding("emb", 3, 5, kept, TableInit.normal(1), 3, initial);
    assertEquals(List.of(0.2f, 0.4f, 2.2f, 2.4f), boxed(layer.parameters().get(0).data()));
    assertEquals(List.of(1.1f), boxed(layer.parameters().get(1).data()));
    Tensor out = layer.lookUp(new Tape(), new int[] {2, 1}, null, 2, 2, 5);
    assertEquals(List.of(0f, 2.2f, 0f, 2.4f, 0f, 1.1f, 0f, 0f, 0f, 0f), boxed(out.data()).subList(0, 10));
    float[] dense = layer.toDense();
    assertEquals(0.4f, dense[3]);
    assertEquals(0f, dense[2]);
    Parameter[] params = layer.parameters().toArray(new Parameter[0]);
    assertGradients(t -> layer.lookUp(t, new int[] {0, 1, 2, 1}, new float[] {1f, 0.5f, 2f, 1f}, 4, 4, 5),
        Input.of(params[0]), Input.of(params[1]));
    assertThrows(IllegalArgumentException.class,
        () -> new MixedDimensionEmbedding("emb", 3, 3, kept, TableInit.normal(1), 3), "dimension 3 needs width 4");
    assertTrue(new MixedDimensionLayout(Map.of("emb", kept), Map.of("emb", initial))
        .equals(new MixedDimensionLayout(Map.of("emb", kept))), "initial values are not part of the layout");
  }

  private static List<Float> boxed(float[] values) {
    List<Float> out = new java.util.ArrayList<>();
    for (float v : values) {
      out.add(v);
    }
    return out;
  }
}
