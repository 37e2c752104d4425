package dev.sparkrec.train;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * The table rows of each sparse-row parameter that a task's batches touched (marked by backward, or by forward on a
 * {@linkplain dev.sparkrec.nn.Tape#listingRows listing tape}), collected after each batch.
 */
final class TouchedRows {

  /**
   * Per sparse-row parameter, a bit per slot seen (a compact table's slots are the rows of its round and keep
   * their rows for the whole task; a full table's slots are its rows).
   */
  private final BitSet[] marked;
  private final int[][] rows;
  private final int[] counts;

  /**
   * Empties the compact tables of {@code parameters}, so that a forward pass on a listing tape admits the rows it
   * reads, and returns a collector of those rows: the first step of listing what a task must pull.
   */
  static TouchedRows listing(List<Parameter> parameters) {
    for (Parameter p : parameters) {
      if (p.isSparseRows()) {
        p.compact(p.heldRows()); // rows are admitted as the forward pass reads them
      }
    }
    return new TouchedRows(parameters);
  }

  /**
   * The rows each sparse-row table of {@code model} reads over the batches {@code batches} hands to its consumer,
   * listed by forward passes on a listing tape in evaluation mode: per parameter, sorted (null for a dense one).
   * Empties the model's compact tables first ({@link #listing}).
   */
  static int[][] readBy(TrainableModel model, Consumer<Consumer<Batch>> batches) {
    List<Parameter> parameters = model.parameters();
    TouchedRows touched = listing(parameters);
    Tape tape = new Tape().training(false).listingRows(true);
    float[][] out = {new float[0]};
    batches.accept(batch -> {
      if (out[0].length < batch.size()) {
        out[0] = new float[batch.size()];
      }
      tape.reset();
      model.logits(tape, batch, out[0]); // forward only: the listing tape marks the rows read
      touched.record(parameters);
      for (Parameter p : parameters) {
        p.zeroGrad();
      }
    });
    return touched.sorted();
  }

  TouchedRows(List<Parameter> parameters) {
    int n = parameters.size();
    marked = new BitSet[n];
    rows = new int[n][];
    counts = new int[n];
    for (int i = 0; i < n; i++) {
      Parameter p = parameters.get(i);
      if (p.isSparseRows()) {
        marked[i] = new BitSet();
        rows[i] = new int[16];
      }
    }
  }

  /** Adds the rows the parameters list as touched now (after each batch, before their gradients are zeroed). */
  void record(List<Parameter> parameters) {
    for (int i = 0; i < marked.length; i++) {
      if (marked[i] == null) {
        continue;
      }
      Parameter p = parameters.get(i);
      int[] slots = p.touchedRows();
      for (int k = 0; k < p.touchedCount(); k++) {
        int slot = slots[k];
        if (!marked[i].get(slot)) {
          marked[i].set(slot);
          if (counts[i] == rows[i].length) {
            rows[i] = Arrays.copyOf(rows[i], rows[i].length * 2);
          }
          rows[i][counts[i]++] = p.rowOf(slot);
        }
      }
    }
  }

  /** Per parameter, the rows touched so far in ascending order (null for a dense parameter). */
  int[][] sorted() {
    int[][] out = new int[marked.length][];
    for (int i = 0; i < marked.length; i++) {
      if (marked[i] != null) {
        out[i] = Arrays.copyOf(rows[i], counts[i]);
        Arrays.sort(out[i]);
      }
    }
    return out;
  }
}
