package dev.sparkrec.nn.embedding;

import java.util.Map;
import java.util.TreeMap;

/**
 * The search layout: every table named here is a {@link SoftSelectionEmbedding} over its blocks; any other table is
 * a full one.
 */
public final class SoftSelectionLayout implements EmbeddingLayout {

  private static final long serialVersionUID = 1L;

  private final TreeMap<String, FeatureBlocks> blocks;

  /** Soft selection over {@code blocksByTable} (table name → its blocks). */
  public SoftSelectionLayout(Map<String, FeatureBlocks> blocksByTable) {
    this.blocks = new TreeMap<>(blocksByTable);
  }

  /** Table name → blocks, sorted by name. */
  public Map<String, FeatureBlocks> blocks() {
    return java.util.Collections.unmodifiableMap(blocks);
  }

  @Override
  public EmbeddingTable create(String name, int rows, int dim, TableInit init, long seed) {
    FeatureBlocks b = blocks.get(name);
    return b == null ? EmbeddingLayout.uniform().create(name, rows, dim, init, seed)
        : new SoftSelectionEmbedding(name, rows, dim, b, init, seed);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SoftSelectionLayout s && blocks.equals(s.blocks);
  }

  @Override
  public int hashCode() {
    return blocks.hashCode();
  }

  @Override
  public String toString() {
    return "soft selection over " + blocks;
  }
}
