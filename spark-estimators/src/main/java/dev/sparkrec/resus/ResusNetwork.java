package dev.sparkrec.resus;

import dev.sparkrec.deepfm.DeepFmConfig;
import dev.sparkrec.deepfm.DeepFmNetwork;
import dev.sparkrec.nn.Initializers;
import dev.sparkrec.nn.Module;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.ParameterValues;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.Abs;
import dev.sparkrec.nn.ops.Add;
import dev.sparkrec.nn.ops.AddScalar;
import dev.sparkrec.nn.ops.BatchedSolve;
import dev.sparkrec.nn.ops.Concat;
import dev.sparkrec.nn.ops.GatherRows;
import dev.sparkrec.nn.ops.MatMul;
import dev.sparkrec.nn.ops.Mul;
import dev.sparkrec.nn.ops.Reshape;
import dev.sparkrec.nn.ops.Sigmoid;
import dev.sparkrec.nn.ops.Softmax;
import dev.sparkrec.nn.ops.Transpose;
import dev.sparkrec.nn.ops.WeightedAbsDistance;
import dev.sparkrec.train.Batch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * RESUS's residual network over a frozen base predictor {@code f} (Shen et al., TOIS 2023; the published code's
 * {@code src/resus.py}): for a query row {@code x} of a user whose support set holds {@code n} rows {@code x_j}
 * with labels {@code y_j} and base logits {@code f(x_j)},
 * <pre>
 *   r_j      = y_j − σ(f(x_j))                               (residual targets, probability units)
 *   "rr":  X = [φ(x_j), 1]_j,  ΔW = Xᵀ(XXᵀ + λI)⁻¹ r,  R(x) = [φ(x), 1]·ΔW      (λ = |l| + 1e-6, learned)
 *   "nn":  s_j = wᵀ|φ(x) − φ(x_j)|,  R(x) = Σ_j softmax_j(s_j)·r_j
 *   logit(x) = f(x) + |a_n|·R(x) + c_n                       (one a_n, c_n per support size n)
 * </pre>
 * where φ is the encoding of a DeepFM network of its own ({@link DeepFmNetwork#encode}), trained with the learner.
 * The NN learner's similarity has no bias: a constant added to every {@code s_j} cancels in the softmax. With an
 * empty support the logit is {@code f(x)} itself.
 *
 * <p>Scoring goes through a per-user <b>adaptation</b>, computed once from the support ({@link #adapt}) and applied
 * to any number of query rows ({@link #score}): the ridge weights {@code ΔW} ({@code encoderDim + 1} floats) for
 * "rr"; the support encodings and residuals ({@code n·encoderDim} then {@code n} floats) for "nn". Training runs the
 * same computation on the tape ({@link #queryLogits}), so the gradient reaches φ, λ or {@code w}, and
 * {@code (a_n, c_n)}.
 *
 * <p>Parameters, in {@link #parameters()} order: the encoder's ({@code deepfm.*}, see {@link DeepFmNetwork}), then
 * {@code resus.nn.weight} {@code [encoderDim]} (U(±1/√encoderDim), "nn") or {@code resus.rr.lambda} {@code [1]}
 * ({@code l}, initially {@code lambda}, "rr"), then {@code resus.scale} and {@code resus.bias}
 * ({@code [maxSupport, 1]} sparse rows: a support size updates only its own; {@code initScale} and 0). Used by one
 * thread at a time.
 */
public final class ResusNetwork implements Module {

  /** Name of the NN learner's distance weights {@code w}. */
  public static final String NN_WEIGHT = "resus.nn.weight";
  /** Name of the RR learner's penalty parameter {@code l} (λ = |l| + 1e-6). */
  public static final String RR_LAMBDA = "resus.rr.lambda";
  /** Name of the per-support-size scales {@code a_n}. */
  public static final String SCALE = "resus.scale";
  /** Name of the per-support-size biases {@code c_n}. */
  public static final String BIAS = "resus.bias";

  private static final float LAMBDA_FLOOR = 1e-6f;

  private final ResusConfig config;
  private final DeepFmNetwork encoder;
  private final int dim;
  private final Parameter nnWeight;
  private final Parameter lambda;
  private final Parameter scale;
  private final Parameter bias;
  private final List<Parameter> parameters;
  private final List<Parameter> learnerParameters;
  private final List<Parameter> adjustParameters;
  private final Tape evalTape = new Tape().training(false);

  /** A network with freshly initialised parameters, drawn from {@code config.seed()}. */
  public ResusNetwork(ResusConfig config) {
    this.config = Objects.requireNonNull(config, "config must not be null");
    SplittableRandom seeds = new SplittableRandom(config.seed());
    long encoderSeed = seeds.nextLong();
    long weightSeed = seeds.nextLong();
    this.encoder = new DeepFmNetwork(withSeed(config, encoderSeed));
    this.dim = encoder.encoderDim();
    List<Parameter> learner = new ArrayList<>(encoder.parameters());
    List<Parameter> adjust = new ArrayList<>();
    if (config.isRidge()) {
      nnWeight = null;
      lambda = Parameter.dense(RR_LAMBDA, 1);
      lambda.data()[0] = (float) config.lambda();
      adjust.add(lambda);
    } else {
      lambda = null;
      nnWeight = Parameter.dense(NN_WEIGHT, dim);
      Initializers.uniform(nnWeight, 1 / Math.sqrt(dim), weightSeed); // nn.Linear(410, 1)'s default
      learner.add(nnWeight);
    }
    scale = Parameter.sparseRows(SCALE, config.maxSupport(), 1);
    Arrays.fill(scale.data(), (float) config.initScale());
    bias = Parameter.sparseRows(BIAS, config.maxSupport(), 1);
    adjust.add(scale);
    adjust.add(bias);
    this.learnerParameters = List.copyOf(learner);
    this.adjustParameters = List.copyOf(adjust);
    List<Parameter> all = new ArrayList<>(encoder.parameters());
    all.add(config.isRidge() ? lambda : nnWeight);
    all.add(scale);
    all.add(bias);
    this.parameters = List.copyOf(all);
  }

  private static DeepFmConfig withSeed(ResusConfig config, long seed) {
    DeepFmConfig e = config.encoder();
    return new DeepFmConfig(e.numFeatures(), e.numFields(), e.embeddingDim(), e.hiddenLayers(),
        seed, e.embeddingLayout());
  }

  public ResusConfig config() {
    return config;
  }

  /** Width of φ(x). */
  public int encoderDim() {
    return dim;
  }

  /** Every parameter in the order documented on the class. */
  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  /** The parameters meta-training steps at {@code stepSize}: the encoder's and, for "nn", {@code w}. */
  public List<Parameter> learnerParameters() {
    return learnerParameters;
  }

  /** The parameters meta-training steps at {@code adjustStepSize}: λ ("rr"), the scales and the biases. */
  public List<Parameter> adjustParameters() {
    return adjustParameters;
  }

  /** Copies {@code values} into the parameters by name; the map must hold exactly {@link #parameters()}' names. */
  public void setParameters(Map<String, float[]> values) {
    ParameterValues.copyInto(parameters, values);
  }

  /** A copy of every parameter's values, keyed by name in {@link #parameters()} order. */
  public Map<String, float[]> parameterValues() {
    return ParameterValues.copyOf(parameters);
  }

  /** The current ridge penalty λ ("rr" only). */
  public double lambda() {
    if (lambda == null) {
      throw new IllegalStateException("the 'nn' learner has no ridge penalty");
    }
    return Math.abs(lambda.data()[0]) + LAMBDA_FLOOR;
  }

  /** A user's support on the tape: the learner's adaptation and, for "nn", the residual targets. */
  record Adaptation(Tensor weights, Tensor residuals, int supportSize) {}

  /**
   * The adaptation of a support set of {@code support.size() >= 1} rows with base logits {@code baseLogits}, on
   * {@code tape}: "rr" {@code ΔW} {@code [encoderDim + 1, 1]}; "nn" the encodings {@code [n, encoderDim]} and the
   * residuals {@code [n, 1]}.
   */
  Adaptation adaptation(Tape tape, Batch support, float[] baseLogits) {
    int n = support.size();
    float[] r = new float[n];
    float[] labels = support.labels();
    for (int j = 0; j < n; j++) {
      r[j] = (float) (labels[j] - Sigmoid.sigmoid(baseLogits[j])); // r_j = y_j − σ(f(x_j))
    }
    Tensor residuals = Tensor.constant(r, n, 1);
    Tensor hs = encoder.encode(tape, support); // φ(x_j) [n, d]
    if (!config.isRidge()) {
      return new Adaptation(hs, residuals, n);
    }
    Tensor x = Concat.apply(tape, hs, ones(n)); // X = [φ(x_j), 1] [n, d+1]
    Tensor kernel = MatMul.apply(tape, x, x, true); // XXᵀ [n, n]
    Tensor lam = AddScalar.apply(tape, Abs.apply(tape, lambda.tensor()), LAMBDA_FLOOR); // λ = |l| + ε
    Tensor a = Add.apply(tape, kernel, Mul.apply(tape, identity(n), lam)); // XXᵀ + λI
    Tensor z = BatchedSolve.apply(tape, Reshape.apply(tape, a, 1, n, n), Reshape.apply(tape, residuals, 1, n, 1));
    Tensor dw = MatMul.apply(tape, Transpose.apply(tape, x), Reshape.apply(tape, z, n, 1)); // Xᵀ(XXᵀ + λI)⁻¹r
    return new Adaptation(dw, null, n);
  }

  /**
   * The personalised logits {@code [m, 1]} of {@code query}'s rows, whose base logits are {@code baseLogits}, given
   * the user's adaptation, on {@code tape}.
   */
  Tensor queryLogits(Tape tape, Batch query, float[] baseLogits, Adaptation adaptation) {
    int m = query.size();
    Tensor f = Tensor.constant(Arrays.copyOf(baseLogits, m), m, 1);
    Tensor hq = encoder.encode(tape, query); // φ(x) [m, d]
    Tensor residual;
    if (config.isRidge()) {
      residual = MatMul.apply(tape, Concat.apply(tape, hq, ones(m)), adaptation.weights()); // [φ(x), 1]·ΔW
    } else {
      Tensor s = WeightedAbsDistance.apply(tape, hq, adaptation.weights(), nnWeight.tensor()); // wᵀ|φ(x) − φ(x_j)|
      residual = MatMul.apply(tape, Softmax.apply(tape, s, 1), adaptation.residuals()); // Σ_j α_j r_j
    }
    int row = adaptation.supportSize() - 1;
    Tensor a = Abs.apply(tape, GatherRows.apply(tape, scale, new int[] {row}, null, 1, 1, 1)); // |a_n|
    Tensor c = GatherRows.apply(tape, bias, new int[] {row}, null, 1, 1, 1); // c_n
    return Add.apply(tape, Add.apply(tape, Mul.apply(tape, residual, a), c), f); // f + |a_n|·R + c_n
  }

  /** One episode's logits: the adaptation of {@code support} applied to {@code query}, on {@code tape}. */
  public Tensor episodeLogits(Tape tape, Batch support, float[] supportBaseLogits, Batch query,
      float[] queryBaseLogits) {
    return queryLogits(tape, query, queryBaseLogits, adaptation(tape, support, supportBaseLogits));
  }

  /** Floats in the adaptation of a support set of {@code supportSize} rows (see the class comment). */
  public int adaptationSize(int supportSize) {
    return config.isRidge() ? dim + 1 : supportSize * (dim + 1);
  }

  /**
   * The adaptation of one user's support rows (1 to {@code maxSupport}, in any order), whose base logits are
   * {@code baseLogits}: {@link #adaptationSize} floats to store and pass to {@link #score}.
   */
  public float[] adapt(Batch support, float[] baseLogits) {
    requireSupportSize(support.size());
    evalTape.reset();
    Adaptation adaptation = adaptation(evalTape, support, baseLogits);
    if (config.isRidge()) {
      return adaptation.weights().toArray();
    }
    int n = support.size();
    float[] out = Arrays.copyOf(adaptation.weights().data(), n * dim + n);
    System.arraycopy(adaptation.residuals().data(), 0, out, n * dim, n);
    return out;
  }

  /**
   * Writes the personalised logits of {@code query}'s rows to {@code out}, for a user whose support of
   * {@code supportSize} rows adapted to {@code adaptation} ({@link #adapt}); with {@code supportSize} 0 (no
   * support) they are the base logits.
   */
  public void score(Batch query, float[] baseLogits, float[] adaptation, int supportSize, float[] out) {
    int m = query.size();
    if (supportSize == 0) {
      System.arraycopy(baseLogits, 0, out, 0, m);
      return;
    }
    requireSupportSize(supportSize);
    if (adaptation.length != adaptationSize(supportSize)) {
      throw new IllegalArgumentException("an adaptation of " + supportSize + " support rows has "
          + adaptationSize(supportSize) + " floats for the '" + config.learner() + "' learner with encoderDim " + dim
          + ", got " + adaptation.length);
    }
    evalTape.reset();
    Adaptation stored = config.isRidge()
        ? new Adaptation(Tensor.constant(adaptation, dim + 1, 1), null, supportSize)
        : new Adaptation(Tensor.constant(Arrays.copyOf(adaptation, supportSize * dim), supportSize, dim),
            Tensor.constant(Arrays.copyOfRange(adaptation, supportSize * dim, supportSize * (dim + 1)),
                supportSize, 1), supportSize);
    float[] logits = queryLogits(evalTape, query, baseLogits, stored).data();
    System.arraycopy(logits, 0, out, 0, m);
  }

  private void requireSupportSize(int n) {
    if (n < 1 || n > config.maxSupport()) {
      throw new IllegalArgumentException("a support set holds 1 to maxSupport = " + config.maxSupport()
          + " rows, got " + n);
    }
  }

  private static Tensor ones(int rows) {
    float[] data = new float[rows];
    Arrays.fill(data, 1f);
    return Tensor.constant(data, rows, 1);
  }

  private static Tensor identity(int n) {
    float[] eye = new float[n * n];
    for (int i = 0; i < n; i++) {
      eye[i * n + i] = 1f;
    }
    return Tensor.constant(eye, n, n);
  }
}
