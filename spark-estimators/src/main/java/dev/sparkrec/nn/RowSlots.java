package dev.sparkrec.nn;

import java.util.Arrays;

/**
 * Where a compact table keeps its rows: an open-addressing map from a table row to the slot (the physical row) that
 * holds it, slots given out in order 0, 1, 2, ..., and the row each slot holds.
 */
final class RowSlots {

  private static final int EMPTY = -1;

  /** Open-addressing keys (rows, {@link #EMPTY} for none) and their slots; the length is a power of two. */
  private int[] keys;
  private int[] slots;
  /** The row each slot holds, for slots {@code [0, count)}. */
  private int[] rows;
  private int count;

  RowSlots(int capacity) {
    reset(capacity);
  }

  /** Forgets every row, with room for {@code capacity} rows before the map grows. */
  void reset(int capacity) {
    int size = Integer.highestOneBit(Math.max(8, capacity) * 2 - 1) << 1; // a power of two, at least 2 × capacity
    if (keys == null || keys.length != size) {
      keys = new int[size];
      slots = new int[size];
    }
    Arrays.fill(keys, EMPTY);
    if (rows == null || rows.length < capacity) {
      rows = new int[Math.max(8, capacity)];
    }
    count = 0;
  }

  /** The slot holding {@code row}, or -1. */
  int slotOf(int row) {
    int mask = keys.length - 1;
    for (int i = hash(row) & mask; ; i = (i + 1) & mask) {
      int key = keys[i];
      if (key == row) {
        return slots[i];
      }
      if (key == EMPTY) {
        return -1;
      }
    }
  }

  /** Gives {@code row}, which must not be held yet, the next slot and returns it. */
  int add(int row) {
    if (2 * (count + 1) > keys.length) {
      rehash(keys.length * 2);
    }
    if (count == rows.length) {
      rows = Arrays.copyOf(rows, rows.length * 2);
    }
    int slot = count++;
    rows[slot] = row;
    insert(row, slot);
    return slot;
  }

  /** The row slot {@code slot} holds. */
  int rowOf(int slot) {
    return rows[slot];
  }

  /** Rows held: slots {@code [0, count)} are in use. */
  int count() {
    return count;
  }

  private void rehash(int size) {
    keys = new int[size];
    slots = new int[size];
    Arrays.fill(keys, EMPTY);
    for (int s = 0; s < count; s++) {
      insert(rows[s], s);
    }
  }

  private void insert(int row, int slot) {
    int mask = keys.length - 1;
    int i = hash(row) & mask;
    while (keys[i] != EMPTY) {
      i = (i + 1) & mask;
    }
    keys[i] = row;
    slots[i] = slot;
  }

  private static int hash(int row) {
    int h = row * 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
