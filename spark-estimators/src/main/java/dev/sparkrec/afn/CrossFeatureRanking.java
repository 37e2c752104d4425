package dev.sparkrec.afn;

import dev.sparkrec.ml.CtrSchema;
import dev.sparkrec.ml.CtrScorer;
import dev.sparkrec.ml.SchemaChecks;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.layers.BatchNorm;
import dev.sparkrec.train.Batch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the cross features a trained {@link AfnNetwork} learned, AFN's interpretability (Cheng et al., AAAI'20),
 * measured on data: the logarithmic neuron {@code j} computes {@code y_j = Π_i |e_i|^{w_ij}}, so {@code w_ij} is
 * the order of field {@code i} in cross feature {@code j}; which neurons matter, and which fields a neuron
 * actually uses, depend on the rows it sees.
 *
 * <p><b>Importance</b> (mean ablation). Over the measured rows, the output {@code y_{k,j}} of neuron {@code j}
 * after the exponential and its batch norm is replaced, for every row, by its mean over the rows (per embedding
 * dimension {@code k}), the rest of the network runs unchanged, and the importance is the increase of the mean
 * log loss of the model's prediction (AFN's logit, AFN+'s ensemble logit) over the unablated loss. It sees what
 * a reading of the weights cannot: the ReLUs and later layers, cancellations between the neuron's {@code K}
 * outputs, and neurons whose output barely varies on the data. It is exact rather than a first-order estimate
 * such as mean |gradient × activation|, and costs {@code O} forward passes of the part after the logarithmic
 * layer per row (the part up to it runs twice per row), so the rows are capped ({@link #DEFAULT_MAX_ROWS} by
 * default): about {@code O·(K·O·H1 + H1·H2 + …)} multiply-adds per row, e.g. 5·10^6 for 32 neurons, K = 10 and
 * hidden layers 256-256, but 1.6·10^9 for the reference's 600 neurons and 400-400-400, where a cap of about 1,000
 * rows keeps it to minutes. Negative importance means the prediction improves on these rows without the neuron's
 * variation.
 *
 * <p><b>Order.</b> Without batch norm the order of field {@code i} in neuron {@code j} is {@code w_ij}. With
 * batch norm after the logarithm, {@code γ_i·(ln e_i − μ_i)/√(σ²_i + ε) + β_i} enters the neuron, so the effective
 * exponent is {@code s_i·w_ij} with {@code s_i = γ_i/√(σ²_i + ε)} (running variance, the one prediction uses;
 * the rest is a constant factor). It is one number per field, the same for every embedding dimension.
 *
 * <p><b>Contribution and share.</b> The contribution of field {@code i} to {@code ln y_j} is how much it moves
 * the neuron's exponent over the rows: {@code c_ij = Σ_k mean_rows |s_i·w_ij·(ln e_{k,i} − m_{k,i})|}, with
 * {@code m_{k,i}} the mean of {@code ln e_{k,i}} over the rows, i.e. |order| times the field's mean absolute
 * deviation of its log-embedding summed over the {@code K} dimensions. A field whose log-embedding is constant on
 * the data contributes 0 however large its exponent. Under a selection of embedding dimensions the log-embedding is
 * the one the network reads, {@code ln e} times the entry's selection weight (0 for a pruned entry). The share of
 * field {@code i} is
 * {@code c_ij / Σ_i' c_i'j}; a neuron's cross lists only the fields whose share exceeds {@code minFieldShare}, so
 * it may cross two fields or five.
 */
public final class CrossFeatureRanking {

  /** Default share of a neuron's total field contribution a field must exceed to be listed: 0.1. */
  public static final double DEFAULT_MIN_FIELD_SHARE = 0.1;
  /** Default cap on the rows measured: 10,000. */
  public static final int DEFAULT_MAX_ROWS = 10_000;
  /** Seed of the row sample drawn when a dataset holds more rows than the cap. */
  static final long SAMPLE_SEED = 20200207L;
  /** Rows per forward pass. */
  private static final int CHUNK = 1024;

  private CrossFeatureRanking() {}

  /**
   * The {@code topNeurons} most important neurons (fewer when the network has fewer), by importance descending
   * (ties by neuron index), each with the fields whose share of its contribution exceeds {@code minFieldShare},
   * largest share first. Runs on the calling thread over every row of {@code rows}.
   *
   * @param rows the rows measured, with labels (0/1) and, optionally, weights (weighted mean log loss)
   * @param topNeurons neurons to return (&ge; 1)
   * @param minFieldShare share a field must exceed to be listed, in [0, 1)
   */
  public static List<CrossFeature> rank(AfnNetwork network, Batch rows, int topNeurons, double minFieldShare) {
    Objects.requireNonNull(network, "network must not be null");
    Objects.requireNonNull(rows, "rows must not be null");
    if (topNeurons < 1) {
      throw new IllegalArgumentException("topNeurons must be >= 1, got " + topNeurons);
    }
    if (!(minFieldShare >= 0 && minFieldShare < 1)) {
      throw new IllegalArgumentException("minFieldShare must be in [0, 1), got " + minFieldShare);
    }
    if (rows.size() < 1) {
      throw new IllegalArgumentException("cross features are measured on rows, got an empty batch");
    }
    AfnConfig config = network.config();
    int fields = config.numFields();
    int neurons = config.logNeurons();
    Measurements m = measure(network, rows);
    double[][] orders = orders(network);

    Integer[] byImportance = new Integer[neurons];
    for (int j = 0; j < neurons; j++) {
      byImportance[j] = j;
    }
    Arrays.sort(byImportance, Comparator.comparingDouble((Integer j) -> -m.importance[j]).thenComparingInt(j -> j));
    int keepNeurons = Math.min(topNeurons, neurons);
    List<CrossFeature> ranked = new ArrayList<>(keepNeurons);
    for (int r = 0; r < keepNeurons; r++) {
      int j = byImportance[r];
      double[] share = new double[fields];
      double total = 0;
      for (int i = 0; i < fields; i++) {
        share[i] = Math.abs(orders[i][j]) * m.logDeviation[i]; // c_ij = |s_i·w_ij|·Σ_k mean|ln e_{k,i} − m_{k,i}|
        total += share[i];
      }
      List<Integer> listed = new ArrayList<>();
      for (int i = 0; i < fields; i++) {
        share[i] = total > 0 ? share[i] / total : 0; // c_ij / Σ_i' c_i'j
        if (share[i] > minFieldShare) {
          listed.add(i);
        }
      }
      listed.sort(Comparator.comparingDouble((Integer i) -> -share[i]).thenComparingInt(i -> i));
      int[] top = new int[listed.size()];
      double[] topOrders = new double[top.length];
      double[] topShares = new double[top.length];
      for (int t = 0; t < top.length; t++) {
        top[t] = listed.get(t);
        topOrders[t] = orders[top[t]][j];
        topShares[t] = share[top[t]];
      }
      ranked.add(new CrossFeature(j, m.importance[j], top, topOrders, topShares));
    }
    return ranked;
  }

  /** What {@link #rank} reads from the rows: each neuron's importance and each field's log-embedding spread. */
  private static final class Measurements {
    /** Loss increase under mean ablation, per neuron. */
    final double[] importance;
    /** {@code Σ_k mean_rows |ln e_{k,i} − m_{k,i}|}, per field. */
    final double[] logDeviation;

    Measurements(double[] importance, double[] logDeviation) {
      this.importance = importance;
      this.logDeviation = logDeviation;
    }
  }

  /**
   * Two passes over the rows in chunks: the first takes the means of the logarithmic layer's outputs and of the
   * log-embeddings, the second the log-embeddings' deviations and, per neuron, the loss with that neuron ablated.
   */
  private static Measurements measure(AfnNetwork network, Batch rows) {
    AfnConfig config = network.config();
    int fields = config.numFields();
    int dim = config.embeddingDim();
    int neurons = config.logNeurons();
    int n = rows.size();
    float[] weights = rows.weights();
    double totalWeight = 0;
    for (int r = 0; r < n; r++) {
      totalWeight += weights == null ? 1 : weights[r];
    }
    if (!(totalWeight > 0)) {
      throw new IllegalArgumentException("the rows' weights sum to " + totalWeight + "; cross features need a "
          + "positive total weight");
    }
    Tape prefix = new Tape().training(false); // up to the logarithmic layer, once per chunk
    Tape suffix = new Tape().training(false); // after it, once per chunk and neuron
    float[] logEmbedding = new float[CHUNK * fields * dim];

    double[] outputMean = new double[dim * neurons]; // mean of y_{k,j} over the rows, at k·O + j
    double[] logMean = new double[fields * dim]; // m_{k,i}, at i·K + k
    for (int from = 0; from < n; from += CHUNK) {
      Batch chunk = slice(rows, from, Math.min(CHUNK, n - from));
      int b = chunk.size();
      prefix.reset();
      float[] y = network.logarithmicLayer(prefix, chunk).data(); // [b, K, O]; also checks the values
      for (int r = 0; r < b; r++) {
        for (int c = 0; c < dim * neurons; c++) {
          outputMean[c] += y[r * dim * neurons + c];
        }
      }
      logEmbeddings(network, chunk, logEmbedding);
      for (int r = 0; r < b; r++) {
        for (int c = 0; c < fields * dim; c++) {
          logMean[c] += logEmbedding[r * fields * dim + c];
        }
      }
    }
    float[] ablated = new float[dim * neurons];
    for (int c = 0; c < dim * neurons; c++) {
      ablated[c] = (float) (outputMean[c] / n);
    }
    for (int c = 0; c < fields * dim; c++) {
      logMean[c] /= n;
    }

    double[] logDeviation = new double[fields];
    double baseLoss = 0;
    double[] ablatedLoss = new double[neurons];
    float[] output = new float[CHUNK * dim * neurons];
    for (int from = 0; from < n; from += CHUNK) {
      Batch chunk = slice(rows, from, Math.min(CHUNK, n - from));
      int b = chunk.size();
      prefix.reset();
      System.arraycopy(network.logarithmicLayer(prefix, chunk).data(), 0, output, 0, b * dim * neurons);
      Tensor dnnLogit = network.dnnLogit(prefix, chunk); // unchanged by the ablations; null for AFN
      logEmbeddings(network, chunk, logEmbedding);
      for (int r = 0; r < b; r++) {
        for (int i = 0; i < fields; i++) {
          for (int k = 0; k < dim; k++) {
            int c = i * dim + k;
            logDeviation[i] += Math.abs(logEmbedding[r * fields * dim + c] - logMean[c]); // |ln e_{k,i} − m_{k,i}|
          }
        }
      }
      Tensor y = Tensor.constant(output, b, dim, neurons);
      suffix.reset();
      baseLoss += logLoss(network.logitFromLogarithmicLayer(suffix, y, dnnLogit).data(), chunk);
      float[] saved = new float[b * dim];
      for (int j = 0; j < neurons; j++) {
        for (int r = 0; r < b; r++) {
          for (int k = 0; k < dim; k++) {
            int at = (r * dim + k) * neurons + j;
            saved[r * dim + k] = output[at];
            output[at] = ablated[k * neurons + j]; // y_{k,j} ← its mean over the rows
          }
        }
        suffix.reset();
        ablatedLoss[j] += logLoss(network.logitFromLogarithmicLayer(suffix, y, dnnLogit).data(), chunk);
        for (int r = 0; r < b; r++) {
          for (int k = 0; k < dim; k++) {
            output[(r * dim + k) * neurons + j] = saved[r * dim + k];
          }
        }
      }
    }
    double[] importance = new double[neurons];
    for (int j = 0; j < neurons; j++) {
      importance[j] = (ablatedLoss[j] - baseLoss) / totalWeight; // mean loss increase under ablation
    }
    for (int i = 0; i < fields; i++) {
      logDeviation[i] /= n;
    }
    return new Measurements(importance, logDeviation);
  }

  /**
   * Writes {@code ln e_{k,i}} of each row of the batch to {@code out} at {@code (r·F + i)·K + k}, as the
   * logarithmic layer computes it: {@code e = max(|E[id]|, logEpsilon)·clip(value, 0.001, 1)} (lines 81-96);
   * {@code table} is {@code E} ({@code numFeatures × K}, the embedding table's dense form).
   */
  private static void logEmbeddings(AfnNetwork network, Batch batch, float[] out) {
    int fields = network.config().numFields();
    int dim = network.config().embeddingDim();
    float epsilon = (float) network.config().logEpsilon();
    int[] ids = batch.ids();
    float[] values = batch.values();
    int count = batch.size() * fields;
    Tape tape = new Tape().training(false);
    float[] table = network.embedding().lookUpUnselected(tape, ids, null, count, count, dim).data();
    Tensor selection = network.embedding().selection(tape, ids, count, count, dim); // as the network applies it
    float[] s = selection == null ? null : selection.data();
    for (int p = 0; p < count; p++) {
      float value = values == null ? 1f : Math.min(Math.max(values[p], AfnNetwork.MIN_VALUE), AfnNetwork.MAX_VALUE);
      for (int k = 0; k < dim; k++) {
        int c = p * dim + k;
        float e = Math.max(Math.abs(table[c]), epsilon) * value;
        out[c] = (float) Math.log(e) * (s == null ? 1f : s[c]); // a pruned entry reads ln 1 = 0
      }
    }
  }

  /** The (weighted) sum of the cross-entropies of the logits against the batch's labels. */
  private static double logLoss(float[] logits, Batch batch) {
    float[] labels = batch.labels();
    float[] weights = batch.weights();
    double sum = 0;
    for (int r = 0; r < batch.size(); r++) {
      double z = logits[r];
      double loss = Math.max(z, 0) - z * labels[r] + Math.log1p(Math.exp(-Math.abs(z))); // BCE with logits
      sum += weights == null ? loss : weights[r] * loss;
    }
    return sum;
  }

  /** Rows {@code [from, from + n)} of {@code rows}, copied. */
  private static Batch slice(Batch rows, int from, int n) {
    int f = rows.fields();
    return Batch.of(f, Arrays.copyOfRange(rows.ids(), from * f, (from + n) * f),
        rows.values() == null ? null : Arrays.copyOfRange(rows.values(), from * f, (from + n) * f),
        Arrays.copyOfRange(rows.labels(), from, from + n),
        rows.weights() == null ? null : Arrays.copyOfRange(rows.weights(), from, from + n));
  }

  /** {@code order[i][j]}: the effective exponent {@code s_i·w_ij} of field {@code i} in neuron {@code j}. */
  static double[][] orders(AfnNetwork network) {
    int fields = network.config().numFields();
    int neurons = network.config().logNeurons();
    float[] w = network.logWeight().data();
    double[] fieldScale = batchNormScales(network.logNorm(), fields);
    double[][] orders = new double[fields][neurons];
    for (int i = 0; i < fields; i++) {
      for (int j = 0; j < neurons; j++) {
        orders[i][j] = fieldScale[i] * w[i * neurons + j]; // γ_i/√(σ²_i + ε)·w_ij, or w_ij without batch norm
      }
    }
    return orders;
  }

  /** {@code γ_c/√(σ²_c + ε)} per channel from the running variance, or all 1 without batch norm. */
  private static double[] batchNormScales(BatchNorm norm, int channels) {
    double[] scale = new double[channels];
    if (norm == null) {
      Arrays.fill(scale, 1.0);
      return scale;
    }
    Parameter gamma = norm.gamma();
    float[] variance = norm.runningVariance().data();
    for (int c = 0; c < channels; c++) {
      double g = gamma == null ? 1.0 : gamma.data()[c];
      scale[c] = g / Math.sqrt(variance[c] + AfnNetwork.BATCH_NORM_EPS); // γ/√(σ² + ε)
    }
    return scale;
  }

  /**
   * Up to {@code maxRows} rows of {@code dataset} as a batch with labels (no weights: the loss is the plain mean):
   * every row when there are at most {@code maxRows}, otherwise a seeded Bernoulli sample of about
   * {@code 1.1·maxRows} rows ({@link #SAMPLE_SEED}) truncated to {@code maxRows}, so the same data and
   * partitioning give the same rows. The rows are collected to the driver.
   */
  static Batch collectRows(Dataset<?> dataset, AfnParams params, AfnConfig config, int maxRows) {
    Objects.requireNonNull(dataset, "dataset must not be null");
    if (maxRows < 1) {
      throw new IllegalArgumentException("maxRows must be >= 1, got " + maxRows);
    }
    StructType schema = dataset.schema();
    CtrSchema.requireScoringColumns(schema, params);
    String labelCol = params.getLabelCol();
    SchemaChecks.requireColumnType(schema, labelCol, DataTypes.DoubleType, DataTypes.FloatType,
        DataTypes.IntegerType, DataTypes.LongType);
    String idsCol = params.getFeatureIdsCol();
    String valuesCol = params.getFeatureValuesCol();
    boolean hasValues = !valuesCol.isEmpty();
    Column label = functions.col(labelCol).cast(DataTypes.DoubleType);
    Dataset<Row> columns = hasValues
        ? dataset.select(functions.col(idsCol), functions.col(valuesCol), label)
        : dataset.select(functions.col(idsCol), label);
    long count = columns.count();
    if (count == 0) {
      throw new IllegalArgumentException("cross features are measured on rows, but the dataset is empty");
    }
    if (count > maxRows) {
      columns = columns.sample(false, Math.min(1.0, 1.1 * maxRows / count), SAMPLE_SEED);
    }
    List<Row> collected = columns.limit(maxRows).collectAsList();
    int n = collected.size();
    if (n == 0) {
      throw new IllegalArgumentException("the sample of " + count + " rows drawn for cross features is empty; raise "
          + "maxRows (got " + maxRows + ")");
    }
    int labelIndex = hasValues ? 2 : 1;
    Batch batch = new Batch(n, config.numFields(), hasValues, false);
    CtrScorer reader = new CtrScorer(null, config.numFields(), config.numFeatures(), null, 0, hasValues ? 1 : -1,
        idsCol, valuesCol, 0.5);
    for (int r = 0; r < n; r++) {
      Row row = collected.get(r);
      reader.fill(batch, r, row);
      if (row.isNullAt(labelIndex)) {
        throw new IllegalArgumentException("Column '" + labelCol + "' is null in a row; cross features need a 0/1 "
            + "label in every row measured.");
      }
      double y = row.getDouble(labelIndex);
      if (!(y >= 0 && y <= 1)) {
        throw new IllegalArgumentException("Column '" + labelCol + "' has label " + y + "; cross features need "
            + "labels in [0, 1].");
      }
      batch.labels()[r] = (float) y;
    }
    batch.setSize(n);
    return batch;
  }
}
