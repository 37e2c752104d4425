package dev.sparkrec.train;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.optim.Optimizer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The models and optimizers that a JVM's tasks of a sharded run reuse from round to round, so that a round does
 * not pay for building and initialising a model. Their embedding tables are compact ({@link
 * dev.sparkrec.nn.Parameter#buildingCompact}): each round a task loads into them only the rows it pulled.
 *
 * <p>Reuse cannot change what a task computes. A sharded task overwrites every dense parameter, every dense slot,
 * the step count and the learning rate from the round's broadcast, and reloads its compact tables with exactly the
 * rows it pulled and their slots; reading any other row fails ({@link dev.sparkrec.nn.Parameter#slot}). A task
 * takes a model for itself and gives it back only when it finished, so concurrent and speculative attempts never
 * share one, and a failed attempt's model is dropped.
 *
 * <p>Idle models are kept per run (at most one per task that ran at once, and small: compact tables) and
 * released by the driver when its run ends; an executor in another JVM keeps at most {@value #RUNS} runs' models.
 */
final class TaskModelPool {

  /** Runs whose models an executor keeps at once; a new run beyond them drops the oldest's. */
  static final int RUNS = 2;

  /** A model, its parameters in model order and its optimizer. */
  record Worker(TrainableModel model, List<Parameter> parameters, Optimizer optimizer) {}

  private static final Map<String, ArrayDeque<Worker>> IDLE = new LinkedHashMap<>();

  private TaskModelPool() {}

  /** An idle worker of run {@code run}, or a new one from {@code create}. */
  static Worker take(String run, Supplier<Worker> create) {
    synchronized (IDLE) {
      ArrayDeque<Worker> idle = IDLE.get(run);
      if (idle != null && !idle.isEmpty()) {
        return idle.pop();
      }
    }
    return create.get();
  }

  /**
   * An idle worker of run {@code run}, or a new one: a model from {@code models} built with compact embedding tables
   * and an optimizer from {@code optimizers} at {@code learningRate}.
   */
  static Worker takeCompact(String run, ModelFactory models, OptimizerFactory optimizers, double learningRate) {
    return take(run, () -> {
      TrainableModel model = Parameter.buildingCompact(models::create);
      return new Worker(model, model.parameters(), optimizers.create(learningRate));
    });
  }

  /** Keeps {@code worker} for the next task of run {@code run} in this JVM. */
  static void giveBack(String run, Worker worker) {
    synchronized (IDLE) {
      ArrayDeque<Worker> idle = IDLE.computeIfAbsent(run, r -> new ArrayDeque<>());
      idle.push(worker);
      Iterator<String> oldest = IDLE.keySet().iterator();
      while (IDLE.size() > RUNS) {
        oldest.next();
        oldest.remove();
      }
    }
  }

  /** Drops run {@code run}'s models in this JVM. */
  static void release(String run) {
    synchronized (IDLE) {
      IDLE.remove(run);
    }
  }

  /** Idle models of run {@code run} in this JVM (for tests). */
  static int idle(String run) {
    synchronized (IDLE) {
      ArrayDeque<Worker> idle = IDLE.get(run);
      return idle == null ? 0 : idle.size();
    }
  }
}
