package dev.sparkrec.nis;

import dev.sparkrec.ml.EmbeddingDimensions;
import dev.sparkrec.ml.EmbeddingLayouts;
import dev.sparkrec.ml.PersistenceSupport;
import dev.sparkrec.ml.param.ParamRegistry;
import dev.sparkrec.nn.embedding.BlockDimensions;
import dev.sparkrec.nn.embedding.FeatureBlocks;
import dev.sparkrec.nn.embedding.MixedDimensionLayout;
import dev.sparkrec.train.TrainingSummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The result of a {@link NeuralInputSearch}: for every searched embedding table, its feature blocks (by training
 * frequency), the searched selection weights α and the dimensions each feature keeps: its block's
 * ({@code pruning} "dimension") or its own ("magnitude"). Retrain a base estimator with it
 * ({@code setEmbeddingDimensions(model)}): its tables then store only the kept entries.
 *
 * <p>{@link #dimensions()} is the dimension table, {@link #selectionWeights()} the α of every (block, dimension),
 * ready to plot; {@link #embeddingParametersBefore()}/{@link #embeddingParametersAfter()} count stored entries.
 * {@link #withParameterBudget} and {@link #withPruneThreshold} prune the same search again (after
 * {@link #setPruning}, either way). {@code transform}
 * returns its input unchanged: the model describes dimensions, it does not score rows.
 */
public final class EmbeddingDimensionsModel extends Model<EmbeddingDimensionsModel>
    implements NisParams, EmbeddingDimensions, MLWritable {

  private static final long serialVersionUID = 1L;

  private final ParamRegistry paramRegistry = new ParamRegistry();
  private final String uid;
  private final List<SearchedTable> tables;
  private final double searchSeconds;
  private final TrainingSummary summary;

  EmbeddingDimensionsModel(String uid, List<SearchedTable> tables, double searchSeconds, TrainingSummary summary) {
    this.uid = uid;
    this.tables = List.copyOf(tables);
    this.searchSeconds = searchSeconds;
    this.summary = summary;
  }

  /** Whether the search's training summary is known (it is for a search fitted or loaded here). */
  public boolean hasSummary() {
    return summary != null;
  }

  /**
   * How the search trained the base model: every warm-start and search epoch (losses, validation metrics), the
   * selected epoch and why it stopped.
   */
  public TrainingSummary summary() {
    if (summary == null) {
      throw new IllegalStateException("EmbeddingDimensionsModel " + uid + " has no training summary.");
    }
    return summary;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public ParamRegistry paramRegistry() {
    return paramRegistry;
  }

  /** Whether retraining starts from the searched embeddings ({@link #layout()}); may change after the search. */
  public EmbeddingDimensionsModel setWarmStart(boolean value) {
    set(warmStart(), value);
    return this;
  }

  /** The searched tables' names, in the base model's order. */
  public List<String> tables() {
    return tables.stream().map(SearchedTable::table).toList();
  }

  /**
   * The dimension of every frequency block of {@code table}: pruned by magnitude, the most any of its features
   * keeps.
   */
  public int[] blockDimensions(String table) {
    return find(table).blockDims();
  }

  /** Sets how {@link #withParameterBudget} and {@link #withPruneThreshold} prune: "dimension" or "magnitude". */
  public EmbeddingDimensionsModel setPruning(String value) {
    set(pruning(), value);
    return this;
  }

  /**
   * The searched dimensions as a layout. Pruned by dimension and retrained from random embeddings (the default),
   * every block stores its leading {@code d_b} dimensions, so blocks share as many dimensions as their widths
   * allow. Otherwise every block (pruned by magnitude: every group of features keeping the same dimensions) keeps
   * its searched dimensions, renumbered over the dimensions any block of any table keeps (in their searched order);
   * with {@code warmStart} the tables start from the searched model's embeddings with α folded in: DNIS's
   * retraining of the searched subnetwork, the pruned entries fixed at 0. Either way the model width needed is
   * {@link #embeddingDim()}.
   */
  @Override
  public MixedDimensionLayout layout() {
    Map<String, BlockDimensions> dims = new LinkedHashMap<>();
    if (!keepsSearchedPositions()) {
      for (SearchedTable t : tables) {
        dims.put(t.table(), new BlockDimensions(t.blocks(), t.blockDims()));
      }
      return new MixedDimensionLayout(dims);
    }
    int[] position = keptPositions();
    int width = embeddingDim();
    Map<String, float[]> initial = new LinkedHashMap<>();
    for (SearchedTable t : tables) {
      BlockDimensions pruned = t.pruned();
      int[][] kept = new int[pruned.blocks().numBlocks()][];
      for (int b = 0; b < kept.length; b++) {
        kept[b] = pruned.kept(b);
        for (int i = 0; i < kept[b].length; i++) {
          kept[b][i] = position[kept[b][i]];
        }
      }
      dims.put(t.table(), new BlockDimensions(pruned.blocks(), kept));
      if (!getWarmStart()) {
        continue;
      }
      float[] values = new float[t.blocks().rows() * width];
      for (int r = 0; r < t.blocks().rows(); r++) {
        for (int j = 0; j < t.maxDim(); j++) {
          if (position[j] >= 0) {
            values[r * width + position[j]] = t.folded()[r * t.maxDim() + j];
          }
        }
      }
      initial.put(t.table(), values);
    }
    return new MixedDimensionLayout(dims, initial);
  }

  /** Whether the layout keeps the searched dimensions' positions (warm start, or features pruned one by one). */
  private boolean keepsSearchedPositions() {
    return getWarmStart() || tables.stream().anyMatch(t -> !t.prunedByBlock());
  }

  /** Searched dimension → its position among the dimensions some block keeps, or −1 when none does. */
  private int[] keptPositions() {
    int maxDim = tables.stream().mapToInt(SearchedTable::maxDim).max().orElse(0);
    boolean[] used = new boolean[maxDim];
    for (SearchedTable t : tables) {
      for (int b = 0; b < t.pruned().blocks().numBlocks(); b++) {
        for (int j : t.pruned().kept(b)) {
          used[j] = true;
        }
      }
    }
    int[] position = new int[maxDim];
    int next = 0;
    for (int j = 0; j < maxDim; j++) {
      position[j] = used[j] ? next++ : -1;
    }
    return position;
  }

  /**
   * The embedding dimension a base model retrains with (at least 1): the widest block, or when the layout keeps
   * the searched positions (with {@code warmStart}, or pruned by magnitude) the number of dimensions any block keeps. A model no wider also keeps the layers above its embeddings, e.g.
   * NCF's MLP, to what the search kept.
   */
  public int embeddingDim() {
    long width = keepsSearchedPositions() ? java.util.Arrays.stream(keptPositions()).filter(p -> p >= 0).count()
        : tables.stream().flatMapToInt(t -> java.util.Arrays.stream(t.blockDims())).max().orElse(0);
    return (int) Math.max(1, width);
  }

  /** Stored embedding entries of the searched tables at full width: Σ rows × maxDim. */
  public long embeddingParametersBefore() {
    return tables.stream().mapToLong(SearchedTable::parametersBefore).sum();
  }

  /** Stored embedding entries with the searched dimensions: Σ over rows of the dimensions each keeps. */
  public long embeddingParametersAfter() {
    return tables.stream().mapToLong(SearchedTable::parametersAfter).sum();
  }

  /** Wall-clock seconds the search took (warm start, search and pruning). */
  public double searchSeconds() {
    return searchSeconds;
  }

  /** The same search pruned ({@code pruning}) to at most {@code budget} stored entries over all tables. */
  public EmbeddingDimensionsModel withParameterBudget(long budget) {
    if (budget <= 0) {
      throw new IllegalArgumentException("parameterBudget must be > 0, got " + budget);
    }
    int[] maxDims = tables.stream().mapToInt(SearchedTable::maxDim).toArray();
    List<SearchedTable> pruned = new ArrayList<>();
    if (byMagnitude()) {
      List<BlockDimensions> kept = MagnitudePruning.byBudget(tables.stream().map(SearchedTable::folded).toList(),
          maxDims, budget);
      for (int t = 0; t < tables.size(); t++) {
        pruned.add(tables.get(t).withPruned(kept.get(t)));
      }
    } else {
      int[][] dims = DimensionPruning.byBudget(tables.stream().map(SearchedTable::alpha).toList(),
          tables.stream().map(SearchedTable::blocks).toList(), maxDims, budget);
      for (int t = 0; t < tables.size(); t++) {
        pruned.add(tables.get(t).withPruned(tables.get(t).keptByAlpha(dims[t])));
      }
    }
    EmbeddingDimensionsModel model = copyValues(new EmbeddingDimensionsModel(uid, pruned, searchSeconds, summary),
        ParamMap.empty());
    model.set(model.parameterBudget(), budget);
    return model;
  }

  /**
   * The same search pruned ({@code pruning}) by keeping the dimensions whose selection weight exceeds
   * {@code threshold}, or by magnitude the entries of {@code E ⊙ α} whose magnitude exceeds it.
   */
  public EmbeddingDimensionsModel withPruneThreshold(double threshold) {
    if (!(threshold >= 0 && threshold < 1)) {
      throw new IllegalArgumentException("pruneThreshold must be in [0, 1), got " + threshold);
    }
    List<SearchedTable> pruned = new ArrayList<>();
    for (SearchedTable t : tables) {
      pruned.add(t.withPruned(byMagnitude()
          ? MagnitudePruning.byThreshold(t.folded(), t.blocks().rows(), t.maxDim(), threshold)
          : t.keptByAlpha(DimensionPruning.byThreshold(t.alpha(), t.maxDim(), threshold))));
    }
    EmbeddingDimensionsModel model = copyValues(new EmbeddingDimensionsModel(uid, pruned, searchSeconds, summary),
        ParamMap.empty());
    model.set(model.pruneThreshold(), threshold);
    model.set(model.parameterBudget(), 0L);
    return model;
  }

  private boolean byMagnitude() {
    return "magnitude".equals(getPruning());
  }

  static final StructType DIMENSIONS_SCHEMA = new StructType()
      .add("table", DataTypes.StringType, false)
      .add("block", DataTypes.IntegerType, false)
      .add("numFeatures", DataTypes.IntegerType, false)
      .add("minFeatureId", DataTypes.IntegerType, false)
      .add("maxFeatureId", DataTypes.IntegerType, false)
      .add("minFrequency", DataTypes.LongType, false)
      .add("maxFrequency", DataTypes.LongType, false)
      .add("dim", DataTypes.IntegerType, false)
      .add("meanDim", DataTypes.DoubleType, false)
      .add("maxDim", DataTypes.IntegerType, false)
      .add("embeddingParameters", DataTypes.LongType, false);

  /**
   * One row per (table, frequency block): the block's features (count, smallest and largest id), their training
   * frequency range, its searched dimension ({@code dim}; pruned by magnitude, the most any of its features keeps),
   * the mean over its features ({@code meanDim}), the full width and its stored entries.
   */
  public Dataset<Row> dimensions() {
    List<Row> rows = new ArrayList<>();
    for (SearchedTable t : tables) {
      FeatureBlocks blocks = t.blocks();
      int n = blocks.numBlocks();
      int[] minId = new int[n];
      int[] maxId = new int[n];
      long[] minFreq = new long[n];
      long[] maxFreq = new long[n];
      java.util.Arrays.fill(minId, Integer.MAX_VALUE);
      java.util.Arrays.fill(maxId, -1);
      java.util.Arrays.fill(minFreq, Long.MAX_VALUE);
      java.util.Arrays.fill(maxFreq, -1);
      for (int r = 0; r < blocks.rows(); r++) {
        int b = blocks.blockOf(r);
        minId[b] = Math.min(minId[b], r);
        maxId[b] = Math.max(maxId[b], r);
        minFreq[b] = Math.min(minFreq[b], t.counts()[r]);
        maxFreq[b] = Math.max(maxFreq[b], t.counts()[r]);
      }
      int[] dims = t.blockDims();
      long[] entries = t.blockParameters();
      for (int b = 0; b < n; b++) {
        rows.add(RowFactory.create(t.table(), b, blocks.blockSize(b), minId[b], maxId[b], minFreq[b], maxFreq[b],
            dims[b], (double) entries[b] / blocks.blockSize(b), t.maxDim(), entries[b]));
      }
    }
    return SparkSession.active().createDataFrame(rows, DIMENSIONS_SCHEMA);
  }

  static final StructType WEIGHTS_SCHEMA = new StructType()
      .add("table", DataTypes.StringType, false)
      .add("block", DataTypes.IntegerType, false)
      .add("dimension", DataTypes.IntegerType, false)
      .add("alpha", DataTypes.FloatType, false)
      .add("magnitude", DataTypes.FloatType, false);

  /**
   * One row per (table, block, dimension) with its searched selection weight α in [0, 1] and the mean magnitude
   * of the block's searched embeddings in that dimension with α folded in, e.g. for a heat map.
   */
  public Dataset<Row> selectionWeights() {
    List<Row> rows = new ArrayList<>();
    for (SearchedTable t : tables) {
      float[] magnitude = t.magnitude();
      for (int b = 0; b < t.blocks().numBlocks(); b++) {
        for (int j = 0; j < t.maxDim(); j++) {
          rows.add(RowFactory.create(t.table(), b, j, t.alpha()[b * t.maxDim() + j], magnitude[b * t.maxDim() + j]));
        }
      }
    }
    return SparkSession.active().createDataFrame(rows, WEIGHTS_SCHEMA);
  }

  /** Returns {@code dataset} unchanged. */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    return dataset.toDF();
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return schema;
  }

  @Override
  public EmbeddingDimensionsModel copy(ParamMap extra) {
    EmbeddingDimensionsModel copied = new EmbeddingDimensionsModel(uid, tables, searchSeconds, summary);
    return copyValues(copied, extra).setParent(parent());
  }

  SearchedTable find(String table) {
    for (SearchedTable t : tables) {
      if (t.table().equals(table)) {
        return t;
      }
    }
    throw new IllegalArgumentException("No searched table '" + table + "'; the searched tables are " + tables()
        + ".");
  }

  List<SearchedTable> searchedTables() {
    return tables;
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<EmbeddingDimensionsModel> read() {
    return new Reader();
  }

  public static EmbeddingDimensionsModel load(String path) {
    return read().load(path);
  }

  @Override
  public String toString() {
    return "EmbeddingDimensionsModel " + uid + ": " + tables.size() + " tables, " + embeddingParametersBefore()
        + " -> " + embeddingParametersAfter() + " embedding parameters";
  }

  static final StructType DATA_SCHEMA = new StructType()
      .add("table", DataTypes.StringType, false)
      .add("maxDim", DataTypes.IntegerType, false)
      .add("numBlocks", DataTypes.IntegerType, false)
      .add("blockOfRow", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
      .add("counts", DataTypes.createArrayType(DataTypes.LongType, false), false)
      .add("alpha", DataTypes.createArrayType(DataTypes.FloatType, false), false)
      .add("folded", DataTypes.createArrayType(DataTypes.FloatType, false), false)
      .add("prunedNumBlocks", DataTypes.IntegerType, false)
      .add("prunedBlockOfRow", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
      .add("prunedKept", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.IntegerType, false), false),
          false)
      .add("index", DataTypes.IntegerType, false)
      .add("searchSeconds", DataTypes.DoubleType, false);

  /**
   * Writes {@code path/metadata} (params), {@code path/data/tables} (one Parquet row per searched table) and
   * {@code path/data/summary} (the search's training summary).
   */
  public static final class Writer extends MLWriter {
    private final EmbeddingDimensionsModel model;

    Writer(EmbeddingDimensionsModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      PersistenceSupport.saveMetadata(model, path, sc());
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < model.tables.size(); i++) {
        SearchedTable t = model.tables.get(i);
        rows.add(RowFactory.create(t.table(), t.maxDim(), t.blocks().numBlocks(), boxed(t.blocks().blockOfRow()),
            boxedLongs(t.counts()), boxedFloats(t.alpha()), boxedFloats(t.folded()), t.pruned().blocks().numBlocks(),
            boxed(t.pruned().blocks().blockOfRow()), EmbeddingLayouts.kept(t.pruned()), i, model.searchSeconds));
      }
      sparkSession().createDataFrame(rows, DATA_SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite)
          .parquet(path + "/data/tables");
      if (model.summary != null) {
        model.summary.write(sparkSession(), path + "/data/summary");
      }
    }
  }

  /** Reads what {@link Writer} wrote. */
  public static final class Reader extends MLReader<EmbeddingDimensionsModel> {
    @Override
    public EmbeddingDimensionsModel load(String path) {
      DefaultParamsReader.Metadata metadata =
          PersistenceSupport.loadMetadata(path, sc(), EmbeddingDimensionsModel.class);
      List<Row> rows = new ArrayList<>(sparkSession().read().parquet(path + "/data/tables").collectAsList());
      rows.sort(java.util.Comparator.comparingInt(r -> r.getInt(r.fieldIndex("index"))));
      List<SearchedTable> tables = new ArrayList<>();
      double seconds = 0;
      for (Row r : rows) {
        FeatureBlocks blocks = new FeatureBlocks(r.getInt(r.fieldIndex("numBlocks")),
            ints(r.getList(r.fieldIndex("blockOfRow"))));
        List<Long> counts = r.getList(r.fieldIndex("counts"));
        tables.add(new SearchedTable(r.getString(r.fieldIndex("table")), r.getInt(r.fieldIndex("maxDim")), blocks,
            counts.stream().mapToLong(Long::longValue).toArray(), floats(r.getList(r.fieldIndex("alpha"))),
            floats(r.getList(r.fieldIndex("folded"))), pruned(r)));
        seconds = r.getDouble(r.fieldIndex("searchSeconds"));
      }
      EmbeddingDimensionsModel model = new EmbeddingDimensionsModel(metadata.uid(), tables, seconds,
          TrainingSummary.readIfPresent(sparkSession(), path + "/data/summary"));
      PersistenceSupport.restoreParams(metadata, model);
      return model;
    }
  }

  private static BlockDimensions pruned(Row r) {
    FeatureBlocks blocks = new FeatureBlocks(r.getInt(r.fieldIndex("prunedNumBlocks")),
        ints(r.getList(r.fieldIndex("prunedBlockOfRow"))));
    return new BlockDimensions(blocks, EmbeddingLayouts.keptColumn(r, r.fieldIndex("prunedKept")));
  }

  private static List<Integer> boxed(int[] v) {
    List<Integer> out = new ArrayList<>(v.length);
    for (int x : v) {
      out.add(x);
    }
    return out;
  }

  private static List<Long> boxedLongs(long[] v) {
    List<Long> out = new ArrayList<>(v.length);
    for (long x : v) {
      out.add(x);
    }
    return out;
  }

  private static List<Float> boxedFloats(float[] v) {
    List<Float> out = new ArrayList<>(v.length);
    for (float x : v) {
      out.add(x);
    }
    return out;
  }

  private static float[] floats(List<Float> v) {
    float[] out = new float[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i);
    }
    return out;
  }

  private static int[] ints(List<Integer> v) {
    return v.stream().mapToInt(Integer::intValue).toArray();
  }
}
