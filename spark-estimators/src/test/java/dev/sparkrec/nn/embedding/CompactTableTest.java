package dev.sparkrec.nn.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.Mul;
import dev.sparkrec.nn.ops.Sum;
import dev.sparkrec.nn.optim.Adam;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A compact table (one holding only some rows, each in a slot, as a sharded-path task holds the rows it pulled)
 * computes bit for bit what the full table computes: forward values, gradients and an optimizer step on the rows
 * it holds, for every table lookup; and reading a row it does not hold fails, naming the row.
 */
class CompactTableTest {

  private static final FeatureBlocks BLOCKS = ListingTapeTest.BLOCKS;
  private static final int[] IDS = ListingTapeTest.IDS;
  private static final float[] SCALES = ListingTapeTest.SCALES;

  @Test
  void aUniformTableComputesOnItsHeldRowsWhatTheFullTableComputes() {
    assertCompactMatchesFull(() -> EmbeddingLayout.uniform().create("emb", 7, 4, TableInit.normal(0.5), 3));
  }

  @Test
  void aMixedDimensionTableComputesOnItsHeldRowsWhatTheFullTableComputes() {
    BlockDimensions dims = new BlockDimensions(BLOCKS, new int[] {4, 2, 0});
    assertCompactMatchesFull(() -> new MixedDimensionEmbedding("emb", 7, 4, dims, TableInit.normal(0.5), 3));
  }

  @Test
  void aSoftSelectionTableComputesOnItsHeldRowsWhatTheFullTableComputes() {
    assertCompactMatchesFull(() -> new SoftSelectionEmbedding("emb", 7, 4, BLOCKS, TableInit.normal(0.5), 3));
  }

  @Test
  void aCompactTableGrowsAsRowsAreAdmittedAndKeepsWhatItHolds() {
    Parameter p = Parameter.sparseRows("emb", 1000, 2);
    p.compact(0);
    for (int row = 999; row >= 0; row -= 3) {
      int slot = p.admit(row);
      p.data()[slot * 2] = row;
      p.data()[slot * 2 + 1] = -row;
    }
    assertEquals(334, p.heldRows());
    assertArrayEquals(new int[] {1000, 2}, p.shape());
    for (int row = 999; row >= 0; row -= 3) {
      int slot = p.slot(row);
      assertEquals(row, p.rowOf(slot));
      assertEquals(row, p.data()[slot * 2]);
      assertEquals(-row, p.data()[slot * 2 + 1]);
    }
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.slot(998));
    assertTrue(e.getMessage().contains("Row 998 of 'emb'"), e.getMessage());

    p.compact(10);
    assertEquals(0, p.heldRows());
    assertThrows(IllegalStateException.class, () -> p.slot(999));
  }

  @Test
  void aModelBuiltCompactHoldsNoRowAndIsNeverAllocatedAtFullSize() {
    EmbeddingTable built = Parameter.buildingCompact(
        () -> EmbeddingLayout.uniform().create("emb", 10_000_000, 4, TableInit.normal(0.5), 3));
    Parameter table = built.parameters().get(0);
    assertTrue(table.isCompact());
    assertEquals(0, table.heldRows());
    assertArrayEquals(new int[] {10_000_000, 4}, table.shape());
    assertTrue(table.size() < 1000, "holds room for a few rows, not 4 × 10⁷ floats: " + table.size());
    Parameter after = Parameter.sparseRows("after", 100, 4);
    assertEquals(false, after.isCompact(), "only what is built inside the scope is compact");
    assertEquals(400, after.size());
  }

  private static void assertCompactMatchesFull(Supplier<EmbeddingTable> tables) {
    EmbeddingTable full = tables.get();
    EmbeddingTable compact = tables.get();
    // as a sharded task does: list the rows (admitting them), then load their values
    for (Parameter p : compact.parameters()) {
      if (p.isSparseRows()) {
        p.compact(0);
      }
    }
    compact.lookUp(new Tape().listingRows(true), IDS, SCALES, IDS.length, IDS.length, 4);
    List<Parameter> fullParameters = full.parameters();
    List<Parameter> compactParameters = compact.parameters();
    for (int i = 0; i < compactParameters.size(); i++) {
      Parameter c = compactParameters.get(i);
      Parameter f = fullParameters.get(i);
      c.zeroGrad();
      if (!c.isSparseRows()) {
        continue;
      }
      assertTrue(c.heldRows() < f.shape()[0], c + " holds fewer rows than the table");
      int d = c.rowSize();
      for (int slot = 0; slot < c.heldRows(); slot++) {
        System.arraycopy(f.data(), c.rowOf(slot) * d, c.data(), slot * d, d);
      }
    }
    Adam fullAdam = new Adam(0.01);
    Adam compactAdam = new Adam(0.01);
    float[] fullOut = step(full, fullAdam);
    float[] compactOut = step(compact, compactAdam);
    assertArrayEquals(fullOut, compactOut);
    for (int i = 0; i < compactParameters.size(); i++) {
      Parameter c = compactParameters.get(i);
      Parameter f = fullParameters.get(i);
      if (!c.isSparseRows()) {
        assertArrayEquals(f.data(), c.data(), f.name());
        continue;
      }
      int d = c.rowSize();
      for (int slot = 0; slot < c.heldRows(); slot++) {
        int row = c.rowOf(slot);
        assertArrayEquals(Arrays.copyOfRange(f.data(), row * d, (row + 1) * d),
            Arrays.copyOfRange(c.data(), slot * d, (slot + 1) * d), f.name() + " row " + row);
        for (int k = 0; k < 2; k++) {
          assertArrayEquals(Arrays.copyOfRange(fullAdam.slots(f).get(k), row * d, (row + 1) * d),
              Arrays.copyOfRange(compactAdam.slots(c).get(k), slot * d, (slot + 1) * d), f.name() + " moment " + k);
        }
      }
    }

    int[] unheld = {0, 6}; // row 0 is never looked up above
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> compact.lookUp(new Tape(), unheld, null, 2, 2, 4));
    assertTrue(e.getMessage().contains("Row 0 of '"), e.getMessage());
  }

  /** Forward, a weighted-sum loss, backward and one Adam step; returns the forward output. */
  private static float[] step(EmbeddingTable table, Adam adam) {
    Tape tape = new Tape();
    Tensor out = table.lookUp(tape, IDS, SCALES, IDS.length, IDS.length, 4);
    float[] w = new float[out.size()];
    for (int j = 0; j < w.length; j++) {
      w[j] = 0.1f * (j % 7) - 0.3f;
    }
    tape.backward(Sum.apply(tape, Mul.apply(tape, out, Tensor.constant(w, out.shape()))));
    float[] forward = out.data().clone();
    adam.step(table.parameters());
    return forward;
  }
}
