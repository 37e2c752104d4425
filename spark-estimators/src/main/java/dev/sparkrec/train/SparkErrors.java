package dev.sparkrec.train;

/** Surfaces SparkRec's own input errors from the exception chains Spark wraps task failures in. */
final class SparkErrors {

  private SparkErrors() {}

  /**
   * Returns an {@link IllegalArgumentException} carrying the message of the first one in {@code e}'s cause
   * chain (with {@code e} as its cause), or {@code e} itself when there is none.
   */
  static RuntimeException withInvalidInputFirst(RuntimeException e) {
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException) {
        return new IllegalArgumentException(t.getMessage(), e);
      }
    }
    return e;
  }
}
