package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import java.util.SplittableRandom;

/**
 * Inverted dropout: in training mode each element is zeroed with probability {@code rate} and the rest are scaled
 * by {@code 1/(1 − rate)}, so {@code y = x·m} with {@code m ∈ {0, 1/(1 − rate)}} and {@code dx = dy·m}. The mask
 * comes from a {@link SplittableRandom} seeded by {@link Tape#nextRandomSeed()}, so the same tape seed gives the
 * same mask. In evaluation mode, or with rate 0, it is the identity and returns {@code x} itself.
 */
public final class DropoutOp extends Op {

  private final Tensor x;
  private final float[] mask;
  private final Tensor out;

  private DropoutOp(Tensor x, float[] mask, Tensor out) {
    this.x = x;
    this.mask = mask;
    this.out = out;
  }

  /** Dropout with {@code rate} in [0, 1). */
  public static Tensor apply(Tape tape, Tensor x, double rate) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("DropoutOp: the rate must be in [0, 1), got " + rate);
    }
    if (!tape.isTraining() || rate == 0) {
      return x;
    }
    SplittableRandom random = new SplittableRandom(tape.nextRandomSeed());
    float keep = (float) (1.0 / (1.0 - rate));
    int size = x.size();
    float[] mask = tape.buffer(size);
    Tensor out = tape.output(x.requiresGrad(), x.shape());
    float[] xd = x.data();
    float[] y = out.data();
    for (int i = 0; i < size; i++) {
      mask[i] = random.nextDouble() < rate ? 0f : keep; // m = 0 with probability p, else 1/(1 − p)
      y[i] = xd[i] * mask[i]; // y = x·m
    }
    if (out.requiresGrad()) {
      tape.record(new DropoutOp(x, mask, out));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    float[] gx = x.grad();
    int size = x.size();
    for (int i = 0; i < size; i++) {
      gx[i] += g[i] * mask[i]; // dx = dy·m
    }
  }
}
