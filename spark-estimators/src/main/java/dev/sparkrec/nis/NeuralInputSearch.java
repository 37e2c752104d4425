package dev.sparkrec.nis;

import dev.sparkrec.ml.EmbeddingEstimator;
import dev.sparkrec.ml.EmbeddingModel;
import dev.sparkrec.ml.PersistenceSupport;
import dev.sparkrec.ml.TableVocabulary;
import dev.sparkrec.ml.param.ParamRegistry;
import dev.sparkrec.nn.embedding.FeatureBlocks;
import dev.sparkrec.nn.embedding.SoftSelectionEmbedding;
import dev.sparkrec.nn.embedding.SoftSelectionLayout;
import dev.sparkrec.nn.embedding.SoftSelectionUpdate;
import dev.sparkrec.train.DimensionSearch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * Differentiable neural input search (DNIS, Cheng, Shen &amp; Huang 2020) over any SparkRec estimator with
 * embedding tables ({@link EmbeddingEstimator}: MF, NCF, AFN/AFN+, FM, ...): learns how many embedding dimensions
 * each block of features deserves.
 *
 * <p>For every embedding table the base estimator would train, the rows are ranked by training frequency and cut
 * into {@code numBlocks} blocks (or {@code blockFractions}); a soft selection {@code α ∈ [0,1]^{blocks × dim}},
 * initialised to 1, multiplies every looked-up embedding. The base model trains {@code warmStartEpochs} epochs with
 * α fixed; then, for {@code searchEpochs} epochs, each training batch steps the model and a validation batch (rows
 * flagged by {@code validationIndicatorCol}) steps α by the first-order gradient of its loss plus
 * {@code l1}·Σ|α|, normalised per block, with SGD ({@code selectionStepSize}) and a clamp to [0, 1]. The search is
 * pruned ({@code pruning}) to a dimension per block — by {@code pruneThreshold} on α, or within
 * {@code parameterBudget} stored entries in proportion to every block's soft dimension count {@code Σ_j α[b, j]} —
 * or by magnitude, DNIS's pruning of the searched embeddings: α folded into the table, every feature keeps its
 * entries of {@code |E ⊙ α|} above the threshold or among the budget's largest. The result, an
 * {@link EmbeddingDimensionsModel}, retrains the base estimator with tables that store only the kept entries
 * ({@code setEmbeddingDimensions}).
 *
 * <p>The base estimator keeps its own training params (seed, step size, batch size, patience...); the search sets
 * its {@code maxIter} to {@code warmStartEpochs + searchEpochs} and, when set here, its
 * {@code validationIndicatorCol}.
 */
public final class NeuralInputSearch extends Estimator<EmbeddingDimensionsModel> implements NisParams, MLWritable {

  private static final long serialVersionUID = 1L;

  private final ParamRegistry paramRegistry = new ParamRegistry();
  private final String uid;
  private Estimator<?> estimator;

  public NeuralInputSearch() {
    this(Identifiable.randomUID("neuralInputSearch"));
  }

  public NeuralInputSearch(String uid) {
    this.uid = uid;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public ParamRegistry paramRegistry() {
    return paramRegistry;
  }

  /** The base estimator to search dimensions for: a SparkRec estimator with embedding tables. */
  public NeuralInputSearch setEstimator(Estimator<?> value) {
    if (!(value instanceof EmbeddingEstimator)) {
      throw new IllegalArgumentException("NeuralInputSearch searches the embedding tables of a SparkRec estimator "
          + "(MatrixFactorization, NeuralCF, AFN, FactorizationMachine...), got "
          + (value == null ? "null" : value.getClass().getName()) + ".");
    }
    this.estimator = value;
    return this;
  }

  public Estimator<?> getEstimator() {
    return estimator;
  }

  public NeuralInputSearch setValidationIndicatorCol(String value) {
    set(validationIndicatorCol(), value);
    return this;
  }

  public NeuralInputSearch setNumBlocks(int value) {
    set(numBlocks(), value);
    return this;
  }

  public NeuralInputSearch setBlockFractions(double[] value) {
    set(blockFractions(), value);
    return this;
  }

  public NeuralInputSearch setWarmStartEpochs(int value) {
    set(warmStartEpochs(), value);
    return this;
  }

  public NeuralInputSearch setSearchEpochs(int value) {
    set(searchEpochs(), value);
    return this;
  }

  public NeuralInputSearch setSelectionStepSize(double value) {
    set(selectionStepSize(), value);
    return this;
  }

  public NeuralInputSearch setL1(double value) {
    set(l1(), value);
    return this;
  }

  public NeuralInputSearch setPruneThreshold(double value) {
    set(pruneThreshold(), value);
    return this;
  }

  public NeuralInputSearch setPruning(String value) {
    set(pruning(), value);
    return this;
  }

  public NeuralInputSearch setParameterBudget(long value) {
    set(parameterBudget(), value);
    return this;
  }

  public NeuralInputSearch setWarmStart(boolean value) {
    set(warmStart(), value);
    return this;
  }

  @Override
  public EmbeddingDimensionsModel fit(Dataset<?> dataset) {
    long start = System.nanoTime();
    if (estimator == null) {
      throw new IllegalStateException("NeuralInputSearch " + uid + " has no base estimator; call setEstimator.");
    }
    double[] fractions = blockFractionsOrEqual();
    Estimator<?> base = baseForSearch();
    EmbeddingEstimator<?> embeddings = (EmbeddingEstimator<?>) base;
    List<TableVocabulary> vocabularies = embeddings.embeddingVocabularies(dataset);
    if (vocabularies.isEmpty()) {
      throw new IllegalArgumentException(base.getClass().getSimpleName() + " trains no embedding table to search.");
    }
    Map<String, FeatureBlocks> blocks = new LinkedHashMap<>();
    List<String> selection = new ArrayList<>();
    for (TableVocabulary v : vocabularies) {
      blocks.put(v.table(), FrequencyBlocks.cut(v.counts(), fractions));
      selection.add(SoftSelectionEmbedding.alphaName(v.table()));
    }
    DimensionSearch search = new DimensionSearch(selection, getWarmStartEpochs(),
        new SoftSelectionUpdate(getSelectionStepSize(), getL1()));
    Model<?> searched = embeddings.fitWithEmbeddings(dataset, new SoftSelectionLayout(blocks), search);
    EmbeddingModel searchedModel = (EmbeddingModel) searched;
    Map<String, float[]> values = searchedModel.embeddingParameters();

    List<SearchedTable> tables = new ArrayList<>();
    for (TableVocabulary v : vocabularies) {
      float[] alpha = values.get(SoftSelectionEmbedding.alphaName(v.table()));
      if (alpha == null) {
        throw new IllegalStateException("The searched " + base.getClass().getSimpleName() + " model has no selection "
            + "weights for table '" + v.table() + "'.");
      }
      float[] table = values.get(v.table());
      if (table == null) {
        throw new IllegalStateException("The searched " + base.getClass().getSimpleName() + " model has no table '"
            + v.table() + "'.");
      }
      FeatureBlocks b = blocks.get(v.table());
      tables.add(SearchedTable.unpruned(v.table(), v.dim(), b, v.counts(), alpha,
          SearchedTable.fold(table, alpha, b, v.dim())));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    EmbeddingDimensionsModel unpruned = copyValues(
        new EmbeddingDimensionsModel(uid, tables, seconds, searchedModel.hasSummary() ? searchedModel.summary() : null),
        ParamMap.empty()).setParent(this);
    EmbeddingDimensionsModel model = getParameterBudget() > 0 ? unpruned.withParameterBudget(getParameterBudget())
        : unpruned.withPruneThreshold(getPruneThreshold());
    return model.setParent(this);
  }

  /** The base estimator with the search's epochs and, when set here, the validation column. */
  private Estimator<?> baseForSearch() {
    ParamMap extra = ParamMap.empty();
    extra.put(requireParam(estimator, "maxIter"), getWarmStartEpochs() + getSearchEpochs());
    String validation = getValidationIndicatorCol();
    Param<Object> baseValidation = requireParam(estimator, "validationIndicatorCol");
    if (validation != null && !validation.isEmpty()) {
      extra.put(baseValidation, validation);
    } else {
      Object own = estimator.getOrDefault(baseValidation);
      if (own == null || own.toString().isEmpty()) {
        throw new IllegalArgumentException("NeuralInputSearch steps the selection weights on validation rows: set "
            + "validationIndicatorCol (here or on the base estimator) to a boolean column marking them.");
      }
    }
    return (Estimator<?>) estimator.copy(extra);
  }

  @SuppressWarnings("unchecked")
  private static Param<Object> requireParam(Params stage, String name) {
    if (!stage.hasParam(name)) {
      throw new IllegalArgumentException(stage.getClass().getSimpleName() + " has no param '" + name
          + "', which NeuralInputSearch needs.");
    }
    return (Param<Object>) stage.getParam(name);
  }

  private double[] blockFractionsOrEqual() {
    double[] fractions = getBlockFractions();
    if (fractions.length == 0) {
      return FrequencyBlocks.equalFractions(getNumBlocks());
    }
    double sum = 0;
    for (double f : fractions) {
      if (!(f > 0)) {
        throw new IllegalArgumentException("blockFractions must be positive, got " + java.util.Arrays.toString(
            fractions));
      }
      sum += f;
    }
    if (Math.abs(sum - 1) > 1e-6) {
      throw new IllegalArgumentException("blockFractions must sum to 1, got " + sum + " for "
          + java.util.Arrays.toString(fractions));
    }
    return fractions;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    if (estimator != null) {
      estimator.transformSchema(schema);
    }
    return schema;
  }

  @Override
  public NeuralInputSearch copy(ParamMap extra) {
    NeuralInputSearch copied = copyValues(new NeuralInputSearch(uid), extra);
    copied.estimator = estimator;
    return copied;
  }

  /** Saves the params and the base estimator ({@code path/estimator}), which must be MLWritable. */
  @Override
  public MLWriter write() {
    return new MLWriter() {
      @Override
      public void saveImpl(String path) {
        if (!(estimator instanceof MLWritable writable)) {
          throw new UnsupportedOperationException("NeuralInputSearch " + uid + " cannot be saved: its base estimator "
              + (estimator == null ? "is not set" : estimator.getClass().getName() + " is not MLWritable") + ".");
        }
        PersistenceSupport.saveMetadata(NeuralInputSearch.this, path, sc());
        try {
          writable.write().overwrite().save(path + "/estimator");
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
  }

  public static MLReader<NeuralInputSearch> read() {
    return new MLReader<>() {
      @Override
      public NeuralInputSearch load(String path) {
        DefaultParamsReader.Metadata metadata = PersistenceSupport.loadMetadata(path, sc(), NeuralInputSearch.class);
        NeuralInputSearch search = new NeuralInputSearch(metadata.uid());
        PersistenceSupport.restoreParams(metadata, search);
        search.setEstimator((Estimator<?>) PersistenceSupport.loadStage(path + "/estimator", sc()));
        return search;
      }
    };
  }

  public static NeuralInputSearch load(String path) {
    return read().load(path);
  }
}
