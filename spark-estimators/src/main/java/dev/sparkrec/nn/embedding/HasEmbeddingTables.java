package dev.sparkrec.nn.embedding;

import java.util.List;

/** A network whose embedding tables are built by an {@link EmbeddingLayout} and can be inspected by name. */
public interface HasEmbeddingTables {

  /** The network's embedding tables, in parameter order. */
  List<EmbeddingTable> embeddingTables();
}
