package dev.sparkrec.train;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.nn.embedding.EmbeddingTable;
import dev.sparkrec.nn.embedding.TableInit;
import dev.sparkrec.nn.layers.Linear;
import dev.sparkrec.nn.ops.BceWithLogits;
import java.util.List;

/**
 * Logistic regression over embeddings, the smallest model with both kinds of parameter:
 * {@code logit = concat_f(E[id_f]·x_f) · w + b}, with a sparse-row table {@code emb} (vocabulary × dim) and
 * a dense projection {@code proj.weight} (fields·dim × 1), {@code proj.bias} (1).
 */
final class TinyCtrModel implements TrainableModel {

  private final EmbeddingTable embedding;
  private final Linear projection;
  private final int fields;
  private final int dim;

  TinyCtrModel(int vocabulary, int fields, int dim, long seed) {
    this(vocabulary, fields, dim, seed, EmbeddingLayout.uniform());
  }

  /** The model with its table {@code emb} built by {@code layout}. */
  TinyCtrModel(int vocabulary, int fields, int dim, long seed, EmbeddingLayout layout) {
    this.embedding = layout.create("emb", vocabulary, dim, TableInit.normal(0.1), seed);
    this.projection = new Linear("proj", fields * dim, 1, seed + 1);
    this.fields = fields;
    this.dim = dim;
  }

  /** A factory for executors; captures only numbers, so it serializes. */
  static ModelFactory factory(int vocabulary, int fields, int dim, long seed) {
    return () -> new TinyCtrModel(vocabulary, fields, dim, seed);
  }

  /** A factory of models whose table is built by {@code layout}. */
  static ModelFactory factory(int vocabulary, int fields, int dim, long seed, EmbeddingLayout layout) {
    return () -> new TinyCtrModel(vocabulary, fields, dim, seed, layout);
  }

  private Tensor forward(Tape tape, Batch batch) {
    int n = batch.size();
    Tensor embedded = embedding.lookUp(tape, batch.ids(), batch.values(), n * fields, n, fields * dim);
    return projection.forward(tape, embedded);
  }

  @Override
  public Tensor loss(Tape tape, Batch batch) {
    return BceWithLogits.apply(tape, forward(tape, batch), batch.labels(), batch.weights());
  }

  @Override
  public void logits(Tape tape, Batch batch, float[] out) {
    System.arraycopy(forward(tape, batch).data(), 0, out, 0, batch.size());
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> all = new java.util.ArrayList<>(embedding.parameters());
    all.addAll(projection.parameters());
    return all;
  }
}
