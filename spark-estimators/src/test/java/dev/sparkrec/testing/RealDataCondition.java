package dev.sparkrec.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs {@link RealData} tests when the data folder exists; otherwise skips them, or fails them when
 * {@code -Dsparkrec.requireRealData=true}.
 */
public final class RealDataCondition implements ExecutionCondition, BeforeAllCallback, BeforeEachCallback {

  /** Every skip reason this condition gives starts with this; {@link RealDataSkipSummary} counts on it. */
  static final String SKIP_PREFIX = "real-data test skipped: ";

  /** Whether the real datasets are staged. */
  public static boolean dataPresent() {
    return Files.isDirectory(SparkTestSession.dataDir());
  }

  /** Whether a missing data folder fails real-data tests instead of skipping them. */
  public static boolean dataRequired() {
    return Boolean.parseBoolean(System.getProperty(RealData.REQUIRE_PROPERTY, "false"));
  }

  /** What a user does about the missing folder. */
  static String missingMessage() {
    Path dir = SparkTestSession.dataDir();
    return dir + " is missing (run sample-data/fetch.sh or set -Dsparkrec.data.dir)";
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (dataPresent()) {
      return ConditionEvaluationResult.enabled("real datasets found in " + SparkTestSession.dataDir());
    }
    if (dataRequired()) {
      return ConditionEvaluationResult.enabled("data missing but required: the test fails before it starts");
    }
    return ConditionEvaluationResult.disabled(SKIP_PREFIX + missingMessage());
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    failIfRequiredAndMissing();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    failIfRequiredAndMissing();
  }

  private static void failIfRequiredAndMissing() {
    if (!dataPresent() && dataRequired()) {
      throw new IllegalStateException("Real-data test cannot run: " + missingMessage() + ". -D"
          + RealData.REQUIRE_PROPERTY + "=true (set by .ci/run) makes the real-data tests mandatory.");
    }
  }
}
