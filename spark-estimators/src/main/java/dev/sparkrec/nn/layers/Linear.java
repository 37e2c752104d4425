package dev.sparkrec.nn.layers;

import dev.sparkrec.nn.Initializers;
import dev.sparkrec.nn.Module;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.AddBias;
import dev.sparkrec.nn.ops.MatMul;
import java.util.List;

/** {@code y = x·W + b} with {@code W} of shape {@code in × out} (Xavier-uniform) and {@code b} zero. */
public final class Linear implements Module {

  private final Parameter weight;
  private final Parameter bias;
  private final int in;
  private final int out;

  /** A layer named {@code name} (parameters {@code name.weight}, {@code name.bias}) initialised from {@code seed}. */
  public Linear(String name, int in, int out, long seed) {
    this.in = in;
    this.out = out;
    this.weight = Parameter.dense(name + ".weight", in, out);
    this.bias = Parameter.dense(name + ".bias", out);
    Initializers.xavierUniform(weight, in, out, seed);
  }

  public Tensor forward(Tape tape, Tensor x) {
    return AddBias.apply(tape, MatMul.apply(tape, x, weight.tensor()), bias.tensor());
  }

  public Parameter weight() {
    return weight;
  }

  public Parameter bias() {
    return bias;
  }

  public int in() {
    return in;
  }

  public int out() {
    return out;
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(weight, bias);
  }
}
