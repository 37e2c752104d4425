package dev.sparkrec.nn.embedding;

import dev.sparkrec.nn.layers.Embedding;

/** Every table is one full {@code rows × dim} {@link Embedding}: the default layout. */
final class UniformLayout implements EmbeddingLayout {

  private static final long serialVersionUID = 1L;

  static final UniformLayout INSTANCE = new UniformLayout();

  private UniformLayout() {}

  @Override
  public EmbeddingTable create(String name, int rows, int dim, TableInit init, long seed) {
    return new Embedding(name, rows, dim, init, seed);
  }

  private Object readResolve() {
    return INSTANCE;
  }

  @Override
  public String toString() {
    return "uniform";
  }
}
