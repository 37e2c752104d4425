package dev.sparkrec.data;

/** Validation of the synthetic generators' configurations. */
final class ConfigCheck {

  private ConfigCheck() {}

  /** Fails with "Invalid synthetic data configuration: {@code message}." unless {@code condition} holds. */
  static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException("Invalid synthetic data configuration: " + message + ".");
    }
  }
}
