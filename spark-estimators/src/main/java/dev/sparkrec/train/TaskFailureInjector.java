package dev.sparkrec.train;

import java.io.Serializable;

/**
 * Test hook: called at the start of every partition's training task and may throw to make the task fail,
 * so tests can check that Spark's task retries reproduce the same parameters. Null (no hook) in production.
 */
@FunctionalInterface
public interface TaskFailureInjector extends Serializable {

  /**
   * Called before partition {@code partition} trains round {@code round} (0-based) of epoch {@code epoch}
   * (1-based) in task attempt {@code attemptNumber} (0 for the first attempt).
   */
  void beforeTraining(int epoch, int round, int partition, int attemptNumber);
}
