package dev.sparkrec.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Compares backward's gradients with central finite differences.
 *
 * <p>The engine computes in float, so the check is float-precision: the graph's output is projected to
 * a scalar {@code L = Σ out_i·r_i} (fixed random {@code r}, summed in double), each checked input element
 * is perturbed by {@code ±eps}, and the error of an element is
 * {@code |analytic − numeric| / max(|analytic| + |numeric|, floor)}. With well-conditioned inputs (values
 * O(1), away from kinks) correct ops stay far below the tolerance {@link #FLOAT_TOLERANCE} = 1e-2, and a
 * dropped backward term exceeds it.
 */
public final class GradientCheck {

  /** Maximum relative error accepted in float. */
  public static final double FLOAT_TOLERANCE = 1e-2;

  private static final double EPS = 1e-2;
  private static final double FLOOR = 1e-2;
  private static final int MAX_ELEMENTS_PER_INPUT = 64;

  private GradientCheck() {}

  /** An input whose gradient is checked: a variable tensor or a parameter. */
  public static final class Input {
    final String name;
    final float[] data;
    final int size;
    final Parameter parameter;
    final Tensor tensor;

    private Input(String name, float[] data, int size, Parameter parameter, Tensor tensor) {
      this.name = name;
      this.data = data;
      this.size = size;
      this.parameter = parameter;
      this.tensor = tensor;
    }

    public static Input of(String name, Tensor variable) {
      return new Input(name, variable.data(), variable.size(), null, variable);
    }

    public static Input of(Parameter p) {
      return new Input(p.name(), p.data(), p.size(), p, null);
    }

    float[] grad() {
      return parameter != null ? parameter.grad() : tensor.grad();
    }

    void zeroGrad() {
      if (parameter != null) {
        parameter.zeroGrad();
      } else {
        Arrays.fill(tensor.grad(), 0f);
      }
    }
  }

  /** A variable tensor with values drawn uniformly from [lo, hi]. */
  public static Tensor randomVariable(long seed, double lo, double hi, int... shape) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] d = new float[Tensor.sizeOf(shape)];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) random.nextDouble(lo, hi);
    }
    return Tensor.variable(d, shape);
  }

  /** Fills a parameter uniformly from [lo, hi]. */
  public static void randomize(Parameter p, long seed, double lo, double hi) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < p.size(); i++) {
      p.data()[i] = (float) random.nextDouble(lo, hi);
    }
  }

  /**
   * The largest relative error over (a sample of) every input element, for the graph built by
   * {@code forward} on a fresh tape (training mode, seed 7 for stochastic ops).
   */
  public static double maxRelativeError(Function<Tape, Tensor> forward, Input... inputs) {
    Tape tape = new Tape().training(true).seed(7);
    Tensor out = forward.apply(tape);
    double[] r = new double[out.size()];
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < r.length; i++) {
      r[i] = random.nextDouble(0.5, 1.5) * (random.nextBoolean() ? 1 : -1);
    }
    for (Input input : inputs) {
      input.zeroGrad();
    }
    tape.backward(Projection.apply(tape, out, r));
    List<float[]> analytic = new ArrayList<>();
    for (Input input : inputs) {
      analytic.add(Arrays.copyOf(input.grad(), input.size));
      input.zeroGrad();
    }

    double worst = 0;
    for (int k = 0; k < inputs.length; k++) {
      Input input = inputs[k];
      int[] elements = sample(input.size, k);
      for (int i : elements) {
        float original = input.data[i];
        input.data[i] = (float) (original + EPS);
        double plus = project(forward, r);
        input.data[i] = (float) (original - EPS);
        double minus = project(forward, r);
        input.data[i] = original;
        double numeric = (plus - minus) / (2 * EPS);
        double a = analytic.get(k)[i];
        double error = Math.abs(a - numeric) / Math.max(Math.abs(a) + Math.abs(numeric), FLOOR);
        worst = Math.max(worst, error);
      }
    }
    return worst;
  }

  /** Asserts that every gradient matches within {@link #FLOAT_TOLERANCE}. */
  public static void assertGradients(Function<Tape, Tensor> forward, Input... inputs) {
    double error = maxRelativeError(forward, inputs);
    assertTrue(error <= FLOAT_TOLERANCE, "max relative gradient error " + error + " > " + FLOAT_TOLERANCE);
  }

  private static int[] sample(int size, int salt) {
    if (size <= MAX_ELEMENTS_PER_INPUT) {
      int[] all = new int[size];
      for (int i = 0; i < size; i++) {
        all[i] = i;
      }
      return all;
    }
    SplittableRandom random = new SplittableRandom(31 + salt);
    return random.ints(MAX_ELEMENTS_PER_INPUT, 0, size).toArray();
  }

  private static double project(Function<Tape, Tensor> forward, double[] r) {
    Tape tape = new Tape().training(true).seed(7);
    Tensor out = forward.apply(tape);
    double sum = 0;
    float[] d = out.data();
    for (int i = 0; i < r.length; i++) {
      sum += d[i] * r[i];
    }
    return sum;
  }

  /** {@code L = Σ out_i·r_i}: the scalar whose gradient backward computes. */
  private static final class Projection extends Op {
    private final Tensor in;
    private final double[] r;
    private final Tensor out;

    private Projection(Tensor in, double[] r, Tensor out) {
      this.in = in;
      this.r = r;
      this.out = out;
    }

    static Tensor apply(Tape tape, Tensor in, double[] r) {
      Tensor out = tape.output(true, 1);
      double sum = 0;
      for (int i = 0; i < r.length; i++) {
        sum += in.data()[i] * r[i];
      }
      out.data()[0] = (float) sum;
      tape.record(new Projection(in, r, out));
      return out;
    }

    @Override
    protected void backward() {
      float g = out.grad()[0];
      float[] gi = in.grad();
      for (int i = 0; i < r.length; i++) {
        gi[i] += (float) (g * r[i]);
      }
    }
  }
}
