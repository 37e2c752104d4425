package dev.sparkrec.seq;

import dev.sparkrec.nn.Initializers;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.ParameterValues;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.embedding.EmbeddingTable;
import dev.sparkrec.nn.embedding.HasEmbeddingTables;
import dev.sparkrec.nn.embedding.TableInit;
import dev.sparkrec.nn.layers.LightningBlock;
import dev.sparkrec.nn.layers.Linear;
import dev.sparkrec.nn.layers.Mlp;
import dev.sparkrec.nn.layers.MoeFeedForward;
import dev.sparkrec.nn.ops.Add;
import dev.sparkrec.nn.ops.BceWithLogits;
import dev.sparkrec.nn.ops.Concat;
import dev.sparkrec.nn.ops.LightningAttention;
import dev.sparkrec.nn.ops.RmsNorm;
import dev.sparkrec.nn.ops.SegmentAttentionPool;
import dev.sparkrec.nn.ops.SegmentMean;
import dev.sparkrec.train.Batch;
import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.TrainableModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * LightningSeq: click prediction from a target and the user's behaviour history, with MiniMax-01's lightning
 * attention and top-k mixture of experts over the history. For an example with target ids {@code id_f} (values
 * {@code x_f}, 1 without a value column) in {@code F} fields and history ids {@code s_1..s_n} (oldest first),
 * <pre>
 *   e_f  = E[id_f]·x_f,  h_t^0 = E[s_t]                          (one table E: numFeatures × d)
 *   per layer l:  h ← Block_l(h)                                  (lightning attention block, {@link LightningBlock};
 *                                                                  every (softmaxEvery+1)-th a softmax block)
 *                 h ← h + MoE_l(RMSNorm(h))                       ({@link MoeFeedForward}, top-k of E experts)
 *   u    = Σ_t softmax_t(q·h_t/√d)·h_t,  q = W_q·concat_f e_f + b  ("attention" pooling; "mean": u = mean_t h_t;
 *                                                                   u = 0 for an empty history)
 *   logit = MLP(concat(e_1..e_F, u))                               (ReLU hidden layers, then one output)
 * </pre>
 * The loss is the (weighted) binary cross-entropy of the logit plus each layer's load-balancing loss. A batch's
 * histories run through the layers together, stored back to back ({@link Batch#sequenceOffsets()}), so the
 * projections and experts are single matrix products over every event of the batch while attention stays within
 * each history; time and memory are linear in the number of events. {@code maxHistory > 0} keeps only each
 * history's most recent events.
 *
 * <p>Parameters, in {@link #parameters()} order: the embedding table {@code seq.embedding} (sparse rows, Glorot
 * normal, stored as the configuration's layout chooses); per layer {@code seq.layer<l>.attention.*},
 * {@code seq.layer<l>.moeNorm} and {@code seq.layer<l>.moe.*}; {@code seq.query.weight/bias}; the MLP
 * {@code seq.mlp.*}. One thread at a time, one network per training task.
 */
public final class LightningSeqNetwork implements TrainableModel, HasEmbeddingTables {

  /** Name of the embedding table; the names of its parameters start with it. */
  public static final String EMBEDDING = "seq.embedding";

  private static final double NORM_EPS = 1e-6;

  private final LightningSeqConfig config;
  private final int fields;
  private final int dim;
  private final EmbeddingTable embedding;
  private final List<LightningBlock> blocks = new ArrayList<>();
  private final List<Parameter> moeNorms = new ArrayList<>();
  private final List<MoeFeedForward> experts = new ArrayList<>();
  private final Linear query;
  private final Mlp mlp;
  private final List<Parameter> parameters;

  /** A network with freshly initialised parameters, drawn from {@code config.seed()}. */
  public LightningSeqNetwork(LightningSeqConfig config) {
    this.config = Objects.requireNonNull(config, "config must not be null");
    this.fields = config.numFields();
    this.dim = config.embeddingDim();
    SplittableRandom seeds = new SplittableRandom(config.seed());
    embedding = config.embeddingLayout().create(EMBEDDING, config.numFeatures(), dim, TableInit.xavierNormal(),
        seeds.nextLong());
    List<Parameter> all = new ArrayList<>(embedding.parameters());
    for (int l = 0; l < config.numLayers(); l++) {
      String name = "seq.layer" + l;
      LightningBlock block = config.isSoftmaxLayer(l)
          ? LightningBlock.softmax(name + ".attention", dim, config.headDim(), config.numHeads(), seeds.nextLong())
          : new LightningBlock(name + ".attention", dim, config.headDim(),
              LightningAttention.decays(config.numHeads(), l, config.numLayers()), config.blockSize(),
              seeds.nextLong());
      Parameter norm = Parameter.dense(name + ".moeNorm", dim);
      Initializers.constant(norm, 1f);
      MoeFeedForward moe = new MoeFeedForward(name + ".moe", dim, config.expertHiddenDim(), config.numExperts(),
          config.topK(), config.auxLossWeight(), seeds.nextLong());
      blocks.add(block);
      moeNorms.add(norm);
      experts.add(moe);
      all.addAll(block.parameters());
      all.add(norm);
      all.addAll(moe.parameters());
    }
    for (Parameter p : all) {
      if (p.name().endsWith(".wo") || p.name().endsWith(".w2")) {
        Initializers.constant(p, 0f); // each residual branch starts as the identity
      }
    }
    query = new Linear("seq.query", fields * dim, dim, seeds.nextLong());
    all.addAll(query.parameters());
    mlp = Mlp.builder("seq.mlp", fields * dim + dim).hidden(config.hiddenLayers()).output(true)
        .seed(seeds.nextLong()).build();
    all.addAll(mlp.parameters());
    this.parameters = List.copyOf(all);
  }

  /** A factory for the trainer's executors: builds {@code new LightningSeqNetwork(config)}; serializable. */
  public static ModelFactory factory(LightningSeqConfig config) {
    Objects.requireNonNull(config, "config must not be null");
    return () -> new LightningSeqNetwork(config);
  }

  /** Whether {@code name} is a parameter of the embedding table. */
  public static boolean isEmbeddingParameter(String name) {
    return name.equals(EMBEDDING) || name.startsWith(EMBEDDING + ".");
  }

  public LightningSeqConfig config() {
    return config;
  }

  /** The weighted mean binary cross-entropy of the logits plus every layer's load-balancing loss. */
  @Override
  public Tensor loss(Tape tape, Batch batch) {
    Forward f = forward(tape, batch);
    Tensor loss = BceWithLogits.apply(tape, f.logit(), batch.labels(), batch.weights());
    return f.auxLoss() == null ? loss : Add.apply(tape, loss, f.auxLoss());
  }

  /** The binary cross-entropy alone, without the load-balancing terms. */
  @Override
  public Tensor validationLoss(Tape tape, Batch batch) {
    return BceWithLogits.apply(tape, forward(tape, batch).logit(), batch.labels(), batch.weights());
  }

  @Override
  public void logits(Tape tape, Batch batch, float[] out) {
    System.arraycopy(forward(tape, batch).logit().data(), 0, out, 0, batch.size());
  }

  /** The logit {@code [B, 1]} of each example of the batch. */
  public Tensor logit(Tape tape, Batch batch) {
    return forward(tape, batch).logit();
  }

  /** The logits and the summed load-balancing loss (null without sequence layers or events). */
  private record Forward(Tensor logit, Tensor auxLoss) {}

  private Forward forward(Tape tape, Batch batch) {
    if (batch.fields() != fields) {
      throw new IllegalArgumentException("the batch has " + batch.fields() + " target ids per example but the "
          + "LightningSeq network was configured with numFields = " + fields);
    }
    if (!batch.hasSequences()) {
      throw new IllegalArgumentException("LightningSeq needs a batch with one history per example");
    }
    int n = batch.size();
    Tensor target = embedding.lookUp(tape, batch.ids(), batch.values(), n * fields, n, fields * dim);
    History history = History.of(batch, config.maxHistory());
    Tensor aux = null;
    Tensor pooled;
    int events = history.offsets()[n];
    if (events == 0) {
      pooled = Tensor.constant(new float[n * dim], n, dim);
    } else {
      Tensor h = embedding.lookUp(tape, history.ids(), null, events, events, dim);
      for (int l = 0; l < blocks.size(); l++) {
        h = blocks.get(l).forward(tape, h, history.offsets());
        MoeFeedForward.Output moe = experts.get(l).forward(tape,
            RmsNorm.apply(tape, h, moeNorms.get(l).tensor(), NORM_EPS));
        h = Add.apply(tape, h, moe.y());
        aux = aux == null ? moe.auxLoss() : Add.apply(tape, aux, moe.auxLoss());
      }
      pooled = LightningSeqParams.MEAN.equals(config.pooling()) ? SegmentMean.apply(tape, h, history.offsets())
          : SegmentAttentionPool.apply(tape, h, query.forward(tape, target), history.offsets());
    }
    Tensor logit = mlp.forward(tape, Concat.apply(tape, target, pooled));
    return new Forward(logit, aux);
  }

  /** The histories a forward pass reads: the batch's, or each one's last {@code maxHistory} events. */
  private record History(int[] offsets, int[] ids) {
    static History of(Batch batch, int maxHistory) {
      int n = batch.size();
      int[] offsets = batch.sequenceOffsets();
      int[] ids = batch.sequenceIds();
      boolean longer = false;
      for (int i = 0; i < n && maxHistory > 0; i++) {
        longer |= offsets[i + 1] - offsets[i] > maxHistory;
      }
      if (!longer) {
        return new History(n + 1 == offsets.length ? offsets : java.util.Arrays.copyOf(offsets, n + 1), ids);
      }
      int[] kept = new int[n + 1];
      for (int i = 0; i < n; i++) {
        kept[i + 1] = kept[i] + Math.min(maxHistory, offsets[i + 1] - offsets[i]);
      }
      int[] keptIds = new int[kept[n]];
      for (int i = 0; i < n; i++) {
        int length = kept[i + 1] - kept[i];
        System.arraycopy(ids, offsets[i + 1] - length, keptIds, kept[i], length);
      }
      return new History(kept, keptIds);
    }
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public List<EmbeddingTable> embeddingTables() {
    return List.of(embedding);
  }

  /** Copies {@code values} into the parameters by name ({@link ParameterValues#copyInto}). */
  public void setParameters(Map<String, float[]> values) {
    ParameterValues.copyInto(parameters, values);
  }

  /** A copy of every parameter's values, keyed by name in {@link #parameters()} order. */
  public Map<String, float[]> parameterValues() {
    return ParameterValues.copyOf(parameters);
  }
}
