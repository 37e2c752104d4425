package dev.sparkrec.pipelines;

/**
 * An error in how a command was called (an option that does not fit the model, two options that exclude each other):
 * {@link Main} prints it with a pointer to the command's {@code --help} and exits with status 2.
 */
final class UsageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
