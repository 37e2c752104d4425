package dev.sparkrec.nn.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.ops.Sum;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * On a listing tape, every table lookup marks in forward exactly the rows its backward marks on an ordinary tape:
 * the sharded embedding sync lists a round's rows with forward passes alone.
 */
class ListingTapeTest {

  /** Three blocks over seven ids, and a lookup of five of them (one twice) with scales; CompactTableTest uses it too. */
  static final FeatureBlocks BLOCKS = new FeatureBlocks(3, new int[] {0, 0, 1, 2, 1, 2, 0});
  static final int[] IDS = {6, 4, 3, 6, 1};
  static final float[] SCALES = {1f, 2f, 0.5f, 1f, 1f};

  @Test
  void aUniformTableListsTheRowsItsBackwardTouches() {
    assertListingMatchesBackward(() -> EmbeddingLayout.uniform().create("emb", 7, 4, TableInit.normal(0.5), 3));
  }

  @Test
  void aMixedDimensionTableListsTheRowsOfEachBlockTable() {
    BlockDimensions dims = new BlockDimensions(BLOCKS, new int[] {4, 2, 0});
    assertListingMatchesBackward(() -> new MixedDimensionEmbedding("emb", 7, 4, dims, TableInit.normal(0.5), 3));
  }

  @Test
  void aSoftSelectionTableListsItsTableRows() {
    assertListingMatchesBackward(() -> new SoftSelectionEmbedding("emb", 7, 4, BLOCKS, TableInit.normal(0.5), 3));
  }

  private static void assertListingMatchesBackward(Supplier<EmbeddingTable> tables) {
    EmbeddingTable listed = tables.get();
    listed.lookUp(new Tape().listingRows(true), IDS, SCALES, IDS.length, IDS.length, 4);
    EmbeddingTable trained = tables.get();
    Tape tape = new Tape();
    tape.backward(Sum.apply(tape, trained.lookUp(tape, IDS, SCALES, IDS.length, IDS.length, 4)));
    List<TreeSet<Integer>> backward = touched(trained.parameters());
    assertEquals(backward, touched(listed.parameters()));
    assertFalse(backward.stream().allMatch(TreeSet::isEmpty), "the lookup touches some rows: " + backward);

    EmbeddingTable plain = tables.get();
    plain.lookUp(new Tape(), IDS, SCALES, IDS.length, IDS.length, 4);
    assertEquals(0, plain.parameters().stream().mapToInt(Parameter::touchedCount).sum(),
        "an ordinary tape marks nothing in forward");
  }

  private static List<TreeSet<Integer>> touched(List<Parameter> parameters) {
    List<TreeSet<Integer>> out = new ArrayList<>();
    for (Parameter p : parameters) {
      TreeSet<Integer> rows = new TreeSet<>();
      for (int k = 0; k < p.touchedCount(); k++) {
        rows.add(p.touchedRows()[k]);
      }
      out.add(rows);
    }
    return out;
  }
}
