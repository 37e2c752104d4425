package dev.sparkrec.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** A row computed alone is bit for bit the row the whole-table initialiser draws. */
class RowInitTest {

  @Test
  void everyRowIsTheRowTheWholeTableDraws() {
    for (long seed : new long[] {0, 17, -3, Long.MAX_VALUE, 0x9e3779b97f4a7c15L}) {
      Parameter table = Parameter.sparseRows("t", 301, 7);
      Initializers.normal(table, 0.25, 0.01, seed);
      RowInit init = table.rowInit();
      assertEquals(new RowInit(0.25, 0.01, seed), init);
      float[] row = new float[7 + 3];
      for (int r = 0; r < 301; r++) {
        init.fillRow(r, 7, row, 3);
        for (int j = 0; j < 7; j++) {
          assertEquals(Float.floatToIntBits(table.data()[r * 7 + j]), Float.floatToIntBits(row[3 + j]),
              "seed " + seed + ", row " + r + ", column " + j);
        }
      }
    }
  }

  @Test
  void aTableStartsAtZeroAndAnInitialiserThatIsNotRowByRowLeavesNoRecipe() {
    Parameter table = Parameter.sparseRows("t", 4, 3);
    assertSame(RowInit.ZERO, table.rowInit());
    float[] row = {9, 9, 9};
    RowInit.ZERO.fillRow(3, 3, row, 0);
    assertEquals(0f, row[0] + row[1] + row[2]);

    Initializers.constant(table, 1.5f);
    table.rowInit().fillRow(2, 3, row, 0);
    assertEquals(1.5f, row[1]);

    Initializers.uniform(table, 0.1, 5);
    assertNull(table.rowInit());
  }
}
