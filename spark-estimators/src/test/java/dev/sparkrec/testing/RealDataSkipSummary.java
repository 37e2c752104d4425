package dev.sparkrec.testing;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Counts the {@link RealData} tests skipped for a missing data folder and prints one line at the end of the
 * run, so that a green build on a fresh clone says what it did not check.
 *
 * <p>Registered for every test JVM through {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}
 * (in this module's test resources, and so in its test jar).
 */
public final class RealDataSkipSummary implements TestExecutionListener {

  private final AtomicInteger skipped = new AtomicInteger();
  private volatile TestPlan plan;

  @Override
  public void testPlanExecutionStarted(TestPlan testPlan) {
    plan = testPlan;
    skipped.set(0);
  }

  @Override
  public void executionSkipped(TestIdentifier identifier, String reason) {
    if (reason == null || !reason.startsWith(RealDataCondition.SKIP_PREFIX)) {
      return;
    }
    skipped.addAndGet(tests(identifier));
  }

  /** Tests under {@code identifier}; a parameterized test, whose invocations are not known yet, counts once. */
  private int tests(TestIdentifier identifier) {
    if (identifier.isTest() || plan == null) {
      return 1;
    }
    var children = plan.getChildren(identifier);
    if (children.isEmpty()) {
      return identifier.getSource().filter(MethodSource.class::isInstance).isPresent() ? 1 : 0;
    }
    return children.stream().mapToInt(this::tests).sum();
  }

  @Override
  public void testPlanExecutionFinished(TestPlan testPlan) {
    int count = skipped.get();
    if (count > 0) {
      System.out.println("SparkRec: " + count + " real-data test" + (count == 1 ? "" : "s") + " skipped: "
          + RealDataCondition.missingMessage());
    }
  }
}
