package dev.sparkrec.ml;

import dev.sparkrec.nn.ParameterValues;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.nn.embedding.EmbeddingTable;
import dev.sparkrec.nn.embedding.HasEmbeddingTables;
import dev.sparkrec.nn.embedding.MixedDimensionLayout;
import dev.sparkrec.nn.embedding.SoftSelectionEmbedding;
import dev.sparkrec.nn.embedding.SoftSelectionLayout;
import dev.sparkrec.train.DimensionSearch;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What every {@link EmbeddingEstimator} and {@link EmbeddingModel} checks and reads the same way: that a layout and
 * a dimension search name only tables the model builds, that an estimator is saved only with the uniform layout,
 * and the embedding parameters of a built network.
 */
public final class EmbeddingSupport {

  private EmbeddingSupport() {}

  /**
   * Fails unless every table {@code layout} names is one of {@code tables} (the tables {@code stage} builds) and
   * every selection parameter of {@code search} (may be null) is the {@code .alpha} of a soft-selection table of
   * {@code layout}. Runs on the driver before training, so a misspelt name fails the fit at once.
   */
  public static void requireKnownTables(EmbeddingLayout layout, DimensionSearch search, Collection<String> tables,
      String stage) {
    if (layout == null) {
      throw new IllegalArgumentException(stage + " needs an embedding layout; pass EmbeddingLayout.uniform() for "
          + "full tables.");
    }
    for (String table : namedTables(layout)) {
      if (!tables.contains(table)) {
        throw new IllegalArgumentException("The embedding layout names table '" + table + "', which " + stage
            + " does not build; its embedding tables are " + tables + ".");
      }
    }
    if (search == null) {
      return;
    }
    Set<String> alphas = new TreeSet<>();
    if (layout instanceof SoftSelectionLayout soft) {
      soft.blocks().keySet().forEach(table -> alphas.add(SoftSelectionEmbedding.alphaName(table)));
    }
    for (String name : search.selectionParameters()) {
      if (!alphas.contains(name)) {
        throw new IllegalArgumentException("The dimension search steps parameter '" + name + "', but the "
            + "embedding layout's selection weights are " + alphas + "; search with a SoftSelectionLayout over the "
            + "table and name its '<table>" + SoftSelectionEmbedding.ALPHA_SUFFIX + "'.");
      }
    }
  }

  /** Copies of the parameters of every embedding table of {@code network}, by name, in table order. */
  public static Map<String, float[]> parameterValues(HasEmbeddingTables network) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (EmbeddingTable table : network.embeddingTables()) {
      out.putAll(ParameterValues.copyOf(table.parameters()));
    }
    return out;
  }

  /** Stored embedding entries of every table of {@code network}, not counting selection weights. */
  public static long parameterCount(HasEmbeddingTables network) {
    long n = 0;
    for (EmbeddingTable table : network.embeddingTables()) {
      n += table.embeddingParameterCount();
    }
    return n;
  }

  private static Collection<String> namedTables(EmbeddingLayout layout) {
    if (layout instanceof MixedDimensionLayout mixed) {
      return mixed.tables().keySet();
    }
    if (layout instanceof SoftSelectionLayout soft) {
      return soft.blocks().keySet();
    }
    return List.of();
  }
}
