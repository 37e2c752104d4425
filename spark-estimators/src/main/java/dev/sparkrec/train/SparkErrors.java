package dev.sparkrec.train;

/** Surfaces SparkRec's own input errors from the exception chains Spark wraps task failures in. */
final class SparkErrors {

  private SparkErrors() {}

  /**
   * For a failure {@code e} of a Spark job: an {@link IllegalArgumentException} with the message of the first
   * one in the cause chain (and {@code e} as its cause) when there is one; else {@code e} itself when it is
   * unchecked, or {@code e} wrapped in an {@link IllegalStateException} ({@code SparkException} is checked
   * but thrown undeclared through Spark's Java API).
   */
  static RuntimeException withInvalidInputFirst(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException) {
        return t == e ? (IllegalArgumentException) t : new IllegalArgumentException(t.getMessage(), e);
      }
    }
    return e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e.getMessage(), e);
  }
}
