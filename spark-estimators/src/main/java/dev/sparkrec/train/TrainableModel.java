package dev.sparkrec.train;

import dev.sparkrec.nn.Module;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * A model the {@link Trainer} can fit: a {@link Module} whose parameters the trainer averages across
 * partitions, with a training loss and evaluation logits over a {@link Batch}.
 */
public interface TrainableModel extends Module {

  /**
   * The mean training loss of the first {@code batch.size()} examples as a one-element tensor recorded on
   * {@code tape} (the trainer calls {@code tape.backward} on it). May include the model's own regularisation.
   */
  Tensor loss(Tape tape, Batch batch);

  /**
   * The loss a dimension search's validation steps minimise over the selection weights: the data term of
   * {@link #loss} without the model's own regularisation (which would shrink every selection weight alike).
   * Defaults to {@link #loss}, for models whose loss has no regularisation term.
   */
  default Tensor validationLoss(Tape tape, Batch batch) {
    return loss(tape, batch);
  }

  /**
   * Writes the logit (log-odds of a positive label) of each of the first {@code batch.size()} examples to
   * {@code out[0..size)}. Called with {@code tape} in evaluation mode.
   */
  void logits(Tape tape, Batch batch, float[] out);
}
