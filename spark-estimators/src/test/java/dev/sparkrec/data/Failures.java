package dev.sparkrec.data;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.function.Executable;

/** Finds the reader's own error inside the exception chain Spark wraps it in. */
final class Failures {

  private Failures() {}

  /** Runs {@code action}, expects it to fail, and returns the first IllegalArgumentException message in the chain. */
  static String readerError(Executable action) {
    Throwable thrown = assertThrows(Throwable.class, action);
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException) {
        return t.getMessage();
      }
    }
    fail("Expected an IllegalArgumentException in the chain of " + thrown);
    return null;
  }
}
