package dev.sparkrec.fia;

import java.nio.ByteBuffer;

/**
 * A side's ranked explaining ratings packed into bytes, as {@link SideExplanations} hands them to
 * {@link MergedExplanations}: a binary column reads back as one array, where a list of structs would be rebuilt
 * as one object per field. Layout: the count, then per entry user, item (int), rating (float), influence, leverage
 * (double) and orphaned (one byte), big-endian.
 */
final class RankedRatings {

  private static final int ENTRY = 4 + 4 + 4 + 8 + 8 + 1;

  private final ByteBuffer buffer;

  private RankedRatings(ByteBuffer buffer) {
    this.buffer = buffer;
  }

  /** A buffer for {@code count} entries, filled by {@link #set}. */
  static RankedRatings allocate(int count) {
    ByteBuffer buffer = ByteBuffer.allocate(4 + count * ENTRY);
    buffer.putInt(0, count);
    return new RankedRatings(buffer);
  }

  static RankedRatings wrap(byte[] bytes) {
    return new RankedRatings(ByteBuffer.wrap(bytes));
  }

  void set(int k, int user, int item, float rating, double influence, double leverage, boolean orphaned) {
    int at = 4 + k * ENTRY;
    buffer.putInt(at, user).putInt(at + 4, item).putFloat(at + 8, rating).putDouble(at + 12, influence)
        .putDouble(at + 20, leverage).put(at + 28, (byte) (orphaned ? 1 : 0));
  }

  byte[] bytes() {
    return buffer.array();
  }

  int size() {
    return buffer.getInt(0);
  }

  int user(int k) {
    return buffer.getInt(4 + k * ENTRY);
  }

  int item(int k) {
    return buffer.getInt(4 + k * ENTRY + 4);
  }

  float rating(int k) {
    return buffer.getFloat(4 + k * ENTRY + 8);
  }

  double influence(int k) {
    return buffer.getDouble(4 + k * ENTRY + 12);
  }

  double leverage(int k) {
    return buffer.getDouble(4 + k * ENTRY + 20);
  }

  boolean orphaned(int k) {
    return buffer.get(4 + k * ENTRY + 28) != 0;
  }
}
