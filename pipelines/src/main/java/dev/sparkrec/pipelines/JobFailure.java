package dev.sparkrec.pipelines;

/**
 * A job that cannot go on because of what it was given (its input, its model, its output): {@link Main} prints the
 * one-line message and exits with status 1, without a stack trace.
 */
final class JobFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  JobFailure(String message) {
    super(message);
  }

  /** The first line of {@code e}'s message (Spark's analysis errors add a plan below it). */
  static String firstLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).trim();
  }
}
