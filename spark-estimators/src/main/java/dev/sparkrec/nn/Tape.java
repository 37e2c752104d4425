package dev.sparkrec.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Records the ops of one forward pass so {@link #backward} can run them in reverse, and owns the
 * buffers of the intermediate tensors.
 *
 * <p>Buffers are reused across batches: a training loop builds the same graph every batch, so the
 * i-th buffer requested after {@link #reset()} is the i-th buffer of the previous batch, reallocated
 * only when it is too small. Nothing is allocated per element and, after the first batch, nothing
 * per batch beyond the small op and tensor objects.
 *
 * <p>A tape is single-threaded; each Spark task owns its own.
 */
public final class Tape {

  private final List<Op> ops = new ArrayList<>();
  private final List<float[]> pool = new ArrayList<>();
  private int nextBuffer;
  private int allocatedBuffers;
  private boolean training = true;
  private boolean listingRows;
  private long randomSeed;
  private long randomCounter;

  /** Forgets the recorded ops; the next batch reuses the buffers in the same order. */
  public void reset() {
    ops.clear();
    nextBuffer = 0;
  }

  /** Training mode (dropout active, batch norm uses batch statistics) or evaluation mode. */
  public Tape training(boolean value) {
    training = value;
    return this;
  }

  public boolean isTraining() {
    return training;
  }

  /**
   * A listing tape: every op that reads rows of a sparse-row table also marks them touched
   * ({@link Parameter#touchRow}) in forward, as its backward would, so a forward pass alone lists the rows a
   * batch reads (the sharded embedding sync's row listing).
   */
  public Tape listingRows(boolean value) {
    listingRows = value;
    return this;
  }

  public boolean isListingRows() {
    return listingRows;
  }

  /**
   * Seeds the random streams of stochastic ops (dropout) for the coming pass; each op that asks for
   * a stream gets a distinct, reproducible one derived from this seed.
   */
  public Tape seed(long seed) {
    randomSeed = seed;
    randomCounter = 0;
    return this;
  }

  /** The seed of the next random stream: a SplitMix64 step over (seed, stream index). */
  public long nextRandomSeed() {
    long z = randomSeed + 0x9E3779B97F4A7C15L * (++randomCounter);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A buffer of at least {@code size} floats whose contents are undefined (ops overwrite them). */
  public float[] buffer(int size) {
    if (nextBuffer < pool.size()) {
      float[] existing = pool.get(nextBuffer);
      if (existing.length >= size) {
        nextBuffer++;
        return existing;
      }
      float[] grown = new float[size];
      allocatedBuffers++;
      pool.set(nextBuffer++, grown);
      return grown;
    }
    float[] fresh = new float[size];
    allocatedBuffers++;
    pool.add(fresh);
    nextBuffer++;
    return fresh;
  }

  /** A buffer of at least {@code size} floats whose first {@code size} are zero. */
  public float[] zeroedBuffer(int size) {
    float[] b = buffer(size);
    Arrays.fill(b, 0, size, 0f);
    return b;
  }

  /** A new op output of {@code shape}; it requires a gradient when any input does. */
  public Tensor output(boolean requiresGrad, int... shape) {
    return new Tensor(buffer(Tensor.sizeOf(shape)), null, shape, requiresGrad, this);
  }

  /**
   * A view of {@code source}'s data with another shape of the same size (no copy); the view gets its
   * own gradient buffer, so the op that makes it must add that gradient back into {@code source}'s.
   */
  public Tensor view(Tensor source, boolean requiresGrad, int... shape) {
    if (Tensor.sizeOf(shape) != source.size()) {
      throw new IllegalArgumentException("a view of " + source + " needs " + source.size() + " elements, shape "
          + Arrays.toString(shape) + " has " + Tensor.sizeOf(shape));
    }
    return new Tensor(source.data(), null, shape, requiresGrad, this);
  }

  /** Records {@code op} for backward; ops whose output needs no gradient need not be recorded. */
  public void record(Op op) {
    ops.add(op);
  }

  /** Number of pool buffers allocated or grown since the tape was created (for tests and profiles). */
  public int allocatedBuffers() {
    return allocatedBuffers;
  }

  /** Floats held by the buffer pool: the memory of the intermediate tensors (for tests and profiles). */
  public long pooledFloats() {
    long total = 0;
    for (float[] b : pool) {
      total += b.length;
    }
    return total;
  }

  /** Number of recorded ops (for tests and profiles). */
  public int recordedOps() {
    return ops.size();
  }

  /**
   * Backpropagates from a one-element {@code loss}: seeds d loss / d loss = 1 and runs the recorded
   * ops in reverse order. Gradients accumulate into every tensor and parameter that requires one.
   */
  public void backward(Tensor loss) {
    if (loss.size() != 1) {
      throw new IllegalArgumentException("backward needs a one-element loss, got " + loss);
    }
    if (!loss.requiresGrad()) {
      throw new IllegalArgumentException("the loss does not depend on anything that requires a gradient");
    }
    loss.grad()[0] += 1f;
    for (int i = ops.size() - 1; i >= 0; i--) {
      ops.get(i).backward();
    }
  }
}
