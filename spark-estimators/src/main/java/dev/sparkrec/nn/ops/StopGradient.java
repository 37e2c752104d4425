package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * {@code y = x} in the forward pass and no gradient in the backward pass: a view of {@code x}'s data that does
 * not require a gradient (AFN+ combines its branch logits through it so that each branch learns from its own
 * loss only).
 */
public final class StopGradient {

  private StopGradient() {}

  public static Tensor apply(Tape tape, Tensor x) {
    return tape.view(x, false, x.shape());
  }
}
