package dev.sparkrec.ml;

/**
 * One embedding table a fit would train: its name in the model, its width, and how often each of its rows (ids)
 * occurs in the training rows. Input search orders a table's rows by these counts.
 *
 * @param table the table's name (its parameter name under the uniform layout)
 * @param dim the model's embedding dimension for it
 * @param counts occurrences of each row id in the training rows; its length is the table's row count
 */
public record TableVocabulary(String table, int dim, long[] counts) {

  public TableVocabulary {
    if (table == null || dim < 1 || counts == null || counts.length == 0) {
      throw new IllegalArgumentException("a table vocabulary needs a name, dim >= 1 and at least one row, got "
          + table + ", " + dim + ", " + (counts == null ? "no counts" : counts.length + " rows"));
    }
    counts = counts.clone();
  }

  @Override
  public long[] counts() {
    return counts.clone();
  }

  public int rows() {
    return counts.length;
  }
}
