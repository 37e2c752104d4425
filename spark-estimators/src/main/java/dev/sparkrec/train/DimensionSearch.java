package dev.sparkrec.train;

import dev.sparkrec.nn.embedding.SoftSelectionUpdate;
import java.io.Serializable;
import java.util.List;

/**
 * Turns a training run into a DNIS search (bi-level, first order). The named selection parameters (the
 * {@code .alpha} weights of soft-selection embeddings) never take optimizer steps. The first
 * {@code warmStartEpochs} epochs (fewer when early stopping ends the warm start) train every other parameter with
 * the selection fixed, and the best of them by the validation metric is restored; every later epoch is a search
 * epoch: each partition alternates a training
 * batch, which steps the other parameters, with a batch of its validation rows, whose loss gradient steps the
 * selection parameters by {@code update}. Early stopping and best-epoch selection start afresh with the first
 * search epoch, so the result is the best search epoch's parameters. Validation data is required.
 *
 * @param selectionParameters names of the parameters the validation batches update (at least one)
 * @param warmStartEpochs epochs with the selection fixed (>= 0), counted within {@code maxEpochs}
 * @param update the selection step
 */
public record DimensionSearch(List<String> selectionParameters, int warmStartEpochs, SoftSelectionUpdate update)
    implements Serializable {

  public DimensionSearch {
    if (selectionParameters == null || selectionParameters.isEmpty() || warmStartEpochs < 0 || update == null) {
      throw new IllegalArgumentException("a dimension search needs selection parameters, warmStartEpochs >= 0 and a "
          + "selection update, got " + selectionParameters + ", " + warmStartEpochs + ", " + update);
    }
    selectionParameters = List.copyOf(selectionParameters);
  }
}
