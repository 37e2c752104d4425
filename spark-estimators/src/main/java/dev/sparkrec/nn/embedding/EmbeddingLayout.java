package dev.sparkrec.nn.embedding;

import java.io.Serializable;

/**
 * How a model's embedding tables are stored and looked up. A network asks its layout for each table by name;
 * the layout is part of the network's configuration, so executors build the same tables. {@link #uniform()} is
 * every model's default: one full {@code rows × dim} table each.
 */
public interface EmbeddingLayout extends Serializable {

  /**
   * The table {@code name} of {@code rows × dim}, initialised with {@code init} from {@code seed}. A layout that
   * was built for a particular table fails here, naming the table, when the model asks for a different shape.
   */
  EmbeddingTable create(String name, int rows, int dim, TableInit init, long seed);

  /** One full table per name. */
  static EmbeddingLayout uniform() {
    return UniformLayout.INSTANCE;
  }
}
