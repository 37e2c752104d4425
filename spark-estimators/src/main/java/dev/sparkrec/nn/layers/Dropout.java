package dev.sparkrec.nn.layers;

import dev.sparkrec.nn.Module;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.DropoutOp;
import java.util.List;

/** Inverted dropout with a fixed rate ({@link DropoutOp}): active in training mode only; no parameters. */
public final class Dropout implements Module {

  private final double rate;

  /** Dropout that zeroes each element with probability {@code rate} in [0, 1). */
  public Dropout(double rate) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("Dropout: the rate must be in [0, 1), got " + rate);
    }
    this.rate = rate;
  }

  public Tensor forward(Tape tape, Tensor x) {
    return DropoutOp.apply(tape, x, rate);
  }

  public double rate() {
    return rate;
  }

  @Override
  public List<Parameter> parameters() {
    return List.of();
  }
}
