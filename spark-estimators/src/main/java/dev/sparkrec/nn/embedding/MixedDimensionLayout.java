package dev.sparkrec.nn.embedding;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Mixed dimensions: every table named here is a {@link MixedDimensionEmbedding} with its blocks' widths; any other
 * table is a full one.
 */
public final class MixedDimensionLayout implements EmbeddingLayout {

  private static final long serialVersionUID = 1L;

  private final TreeMap<String, BlockDimensions> tables;

  public MixedDimensionLayout(Map<String, BlockDimensions> dimensionsByTable) {
    this.tables = new TreeMap<>(dimensionsByTable);
  }

  /** Table name → block dimensions, sorted by name. */
  public Map<String, BlockDimensions> tables() {
    return Collections.unmodifiableMap(tables);
  }

  @Override
  public EmbeddingTable create(String name, int rows, int dim, TableInit init, long seed) {
    BlockDimensions d = tables.get(name);
    return d == null ? EmbeddingLayout.uniform().create(name, rows, dim, init, seed)
        : new MixedDimensionEmbedding(name, rows, dim, d, init, seed);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MixedDimensionLayout m && tables.equals(m.tables);
  }

  @Override
  public int hashCode() {
    return tables.hashCode();
  }

  @Override
  public String toString() {
    return "mixed dimensions " + tables;
  }
}
