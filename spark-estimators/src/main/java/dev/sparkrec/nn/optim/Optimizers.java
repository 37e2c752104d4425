package dev.sparkrec.nn.optim;

import java.util.List;
import java.util.Locale;

/** Creates an optimizer from the name a training configuration gives: "sgd", "adam" or "adagrad". */
public final class Optimizers {

  /** The accepted names, lower case (matching ignores case and surrounding blanks). */
  public static final List<String> NAMES = List.of("sgd", "adam", "adagrad");

  private Optimizers() {}

  /**
   * The optimizer called {@code name} (case-insensitive) with step size {@code learningRate} (&gt; 0) and its
   * default hyper-parameters: {@link Sgd}, {@link Adam} (β1 0.9, β2 0.999, ε 1e-8) or {@link Adagrad}
   * (initial accumulator 0.1, ε 1e-7).
   */
  public static Optimizer create(String name, double learningRate) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    switch (key) {
      case "sgd":
        return new Sgd(learningRate);
      case "adam":
        return new Adam(learningRate);
      case "adagrad":
        return new Adagrad(learningRate);
      default:
        throw new IllegalArgumentException("unknown optimizer '" + name + "'; expected one of "
            + String.join(", ", NAMES));
    }
  }
}
