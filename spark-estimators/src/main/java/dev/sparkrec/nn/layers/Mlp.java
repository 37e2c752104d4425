package dev.sparkrec.nn.layers;

import dev.sparkrec.nn.Module;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.Relu;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A multi-layer perceptron in AFN's block order: for each hidden size, Linear → ReLU → batch norm (optional,
 * per neuron, along the last axis) → dropout (when the rate is positive); then an optional Linear to one output,
 * the logit. Linear weights are Xavier-uniform from seeds drawn from the builder's seed.
 *
 * <p>Parameter names: {@code name.hidden<i>.weight/bias}, {@code name.bn<i>.*} and {@code name.output.weight/bias},
 * listed layer by layer in that order.
 */
public final class Mlp implements Module {

  private final int inputSize;
  private final List<Linear> hidden;
  private final List<BatchNorm> norms;
  private final Dropout dropout;
  private final Linear output;
  private final List<Parameter> parameters;

  private Mlp(Builder b) {
    this.inputSize = b.inputSize;
    SplittableRandom seeds = new SplittableRandom(b.seed);
    List<Linear> linears = new ArrayList<>();
    List<BatchNorm> bns = new ArrayList<>();
    List<Parameter> all = new ArrayList<>();
    int in = b.inputSize;
    for (int i = 0; i < b.hidden.length; i++) {
      Linear linear = new Linear(b.name + ".hidden" + i, in, b.hidden[i], seeds.nextLong());
      linears.add(linear);
      all.addAll(linear.parameters());
      if (b.batchNorm) {
        BatchNorm bn = new BatchNorm(b.name + ".bn" + i, b.hidden[i], -1, b.batchNormMomentum, BatchNorm.DEFAULT_EPS,
            true, true);
        bns.add(bn);
        all.addAll(bn.parameters());
      }
      in = b.hidden[i];
    }
    this.hidden = Collections.unmodifiableList(linears);
    this.norms = Collections.unmodifiableList(bns);
    this.dropout = b.dropout > 0 ? new Dropout(b.dropout) : null;
    this.output = b.output ? new Linear(b.name + ".output", in, 1, seeds.nextLong()) : null;
    if (output != null) {
      all.addAll(output.parameters());
    }
    this.parameters = Collections.unmodifiableList(all);
  }

  /** A builder for an MLP named {@code name} (the prefix of its parameter names) on inputs {@code [..., inputSize]}. */
  public static Builder builder(String name, int inputSize) {
    return new Builder(name, inputSize);
  }

  /** {@code x} of shape {@code [..., inputSize]} to {@code [..., outputSize()]}. */
  public Tensor forward(Tape tape, Tensor x) {
    if (x.cols() != inputSize) {
      throw new IllegalArgumentException("Mlp: input " + x + " does not end in the input size " + inputSize);
    }
    Tensor h = x;
    for (int i = 0; i < hidden.size(); i++) {
      h = Relu.apply(tape, hidden.get(i).forward(tape, h));
      if (!norms.isEmpty()) {
        h = norms.get(i).forward(tape, h);
      }
      if (dropout != null) {
        h = dropout.forward(tape, h);
      }
    }
    return output == null ? h : output.forward(tape, h);
  }

  public int inputSize() {
    return inputSize;
  }

  /** 1 with an output layer, else the last hidden size. */
  public int outputSize() {
    return output != null ? 1 : hidden.get(hidden.size() - 1).out();
  }

  /** The hidden Linear layers, in order. */
  public List<Linear> hiddenLayers() {
    return hidden;
  }

  /** The batch-norm layers after each hidden layer, in order; empty without batch norm. */
  public List<BatchNorm> batchNorms() {
    return norms;
  }

  /** The final Linear to one output, or null. */
  public Linear outputLayer() {
    return output;
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  /** Configures an {@link Mlp}; every setting has a default. */
  public static final class Builder {
    private final String name;
    private final int inputSize;
    private int[] hidden = new int[0];
    private boolean batchNorm;
    private double batchNormMomentum = BatchNorm.DEFAULT_MOMENTUM;
    private double dropout;
    private boolean output = true;
    private long seed;

    private Builder(String name, int inputSize) {
      if (inputSize <= 0) {
        throw new IllegalArgumentException("Mlp " + name + ": the input size must be positive, got " + inputSize);
      }
      this.name = name;
      this.inputSize = inputSize;
    }

    /** Sizes of the hidden layers (each positive), in order. Default: none. */
    public Builder hidden(int... sizes) {
      for (int s : sizes) {
        if (s <= 0) {
          throw new IllegalArgumentException("Mlp " + name + ": hidden sizes must be positive, got " + s);
        }
      }
      this.hidden = sizes.clone();
      return this;
    }

    /**
     * Whether to batch-normalise after each hidden ReLU (ε 1e-3, momentum {@link #batchNormMomentum}). Default:
     * false.
     */
    public Builder batchNorm(boolean value) {
      this.batchNorm = value;
      return this;
    }

    /**
     * Weight of the old running value in the batch norms' running statistics, in [0, 1]; used with
     * {@link #batchNorm}. Default: 0.9 ({@link BatchNorm#DEFAULT_MOMENTUM}).
     */
    public Builder batchNormMomentum(double value) {
      if (!(value >= 0 && value <= 1)) {
        throw new IllegalArgumentException("Mlp " + name + ": the batch-norm momentum must be in [0, 1], got "
            + value);
      }
      this.batchNormMomentum = value;
      return this;
    }

    /** Dropout rate in [0, 1) after each hidden block; 0 means none. Default: 0. */
    public Builder dropout(double rate) {
      if (!(rate >= 0 && rate < 1)) {
        throw new IllegalArgumentException("Mlp " + name + ": the dropout rate must be in [0, 1), got " + rate);
      }
      this.dropout = rate;
      return this;
    }

    /** Whether to end in a Linear layer to one output (a logit). Default: true. */
    public Builder output(boolean value) {
      this.output = value;
      return this;
    }

    /** Seed of the weight initialisation. Default: 0. */
    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    public Mlp build() {
      if (hidden.length == 0 && !output) {
        throw new IllegalArgumentException("Mlp " + name + ": no hidden layers and no output layer");
      }
      return new Mlp(this);
    }
  }
}
