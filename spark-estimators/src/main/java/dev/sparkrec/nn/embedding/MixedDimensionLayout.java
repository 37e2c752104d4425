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
  /** Full initial tables by name, on the driver only: executors' models take the driver's values anyway. */
  private final transient Map<String, float[]> initialValues;

  public MixedDimensionLayout(Map<String, BlockDimensions> dimensionsByTable) {
    this(dimensionsByTable, Map.of());
  }

  /**
   * Mixed dimensions whose tables start at the kept entries of {@code initialValues} (table name → full
   * {@code rows × dim} table, e.g. a searched model's with its selection folded in) rather than at random. The
   * initial values are not saved and do not take part in equality: a layout describes where entries sit.
   */
  public MixedDimensionLayout(Map<String, BlockDimensions> dimensionsByTable, Map<String, float[]> initialValues) {
    this.tables = new TreeMap<>(dimensionsByTable);
    this.initialValues = new TreeMap<>(initialValues);
  }

  /** The same dimensions without initial values (what a trained model keeps). */
  public MixedDimensionLayout withoutInitialValues() {
    return new MixedDimensionLayout(tables);
  }

  /** Table name → block dimensions, sorted by name. */
  public Map<String, BlockDimensions> tables() {
    return Collections.unmodifiableMap(tables);
  }

  @Override
  public EmbeddingTable create(String name, int rows, int dim, TableInit init, long seed) {
    BlockDimensions d = tables.get(name);
    return d == null ? EmbeddingLayout.uniform().create(name, rows, dim, init, seed)
        : new MixedDimensionEmbedding(name, rows, dim, d, init, seed,
            initialValues == null ? null : initialValues.get(name));
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
