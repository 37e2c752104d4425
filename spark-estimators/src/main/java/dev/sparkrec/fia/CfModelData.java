package dev.sparkrec.fia;

import dev.sparkrec.ml.EmbeddingLayouts;
import dev.sparkrec.ml.ParameterTables;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.ParameterValues;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.nn.embedding.EmbeddingTable;
import dev.sparkrec.nn.embedding.HasEmbeddingTables;
import dev.sparkrec.nn.layers.Embedding;
import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.TrainableModel;
import dev.sparkrec.train.TrainedParameters;
import dev.sparkrec.train.TrainingSummary;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What a fitted collaborative-filtering model learned: the sorted user and item ids (an id's index is its
 * position), the weighted mean training rating, the width of the embedding tables, the network's parameters and,
 * when it was trained here, the training summary.
 *
 * <p>The parameters come in two forms. {@link #trainedParameters()} are the network's own, as its
 * {@link EmbeddingLayout} names them (e.g. {@code mf.userFactors.block<b>} for mixed dimensions).
 * {@link #parameters()} are what scoring, recommendations, the factor tables and influence analysis read: every
 * embedding table as its full {@code rows × dim} table under the table's name ({@link EmbeddingTable#toDense()}:
 * zero-padded for mixed dimensions, {@code E ⊙ α} for a soft selection), every other parameter as trained. Under the
 * uniform layout the two are the same map. Under any other, the full tables are derived from the trained ones where
 * they are first read, once per JVM, and are never serialized: a fitted or loaded model, and what it broadcasts to
 * the executors ({@link #forExecutors()}), hold only the trained entries.
 *
 * <p>Saved as Parquet under {@code path/data/ids} (one row: {@code userIds}, {@code itemIds} array&lt;int&gt;,
 * {@code globalMean} double, {@code embeddingDim} int, absent in models saved before it),
 * {@code path/data/parameters} (the trained parameters, {@link ParameterTables}: a mixed-dimension table saves
 * only its blocks' entries), {@code path/data/embeddingLayout} ({@link EmbeddingLayouts}; absent in models saved
 * before layouts, which are uniform) and {@code path/data/summary} ({@link TrainingSummary}, absent in models
 * saved without one). Immutable; the arrays are not copied, so callers must not change them.
 */
final class CfModelData implements Serializable {

  private static final long serialVersionUID = 3L;

  /** Builds the network of a model's shape and embedding layout (fresh weights). */
  @FunctionalInterface
  interface Networks {
    ModelFactory factory(int numUsers, int numItems, double globalMean, int embeddingDim, EmbeddingLayout layout);
  }

  private final IdIndex users;
  private final IdIndex items;
  private final double globalMean;
  private final int embeddingDim;
  private final EmbeddingLayout layout;
  private final Map<String, float[]> trainedParameters;
  /** Builds the network under {@link #layout}, whose tables give the full ones; null under the uniform layout. */
  private final ModelFactory layoutShape;
  /** The full tables of a non-uniform layout, derived on first use ({@link #parameters()}); never serialized. */
  private transient volatile Map<String, float[]> full;
  private final List<String> tables;
  private final List<String> embeddingParameterNames;
  private final long embeddingParameterCount;
  private final TrainingSummary summary;

  private CfModelData(IdIndex users, IdIndex items, double globalMean, int embeddingDim, EmbeddingLayout layout,
      Map<String, float[]> trainedParameters, ModelFactory layoutShape, List<String> tables,
      List<String> embeddingParameterNames, long embeddingParameterCount, TrainingSummary summary) {
    this.users = users;
    this.items = items;
    this.globalMean = globalMean;
    this.embeddingDim = embeddingDim;
    this.layout = layout;
    this.trainedParameters = trainedParameters;
    this.layoutShape = layout == EmbeddingLayout.uniform() ? null : layoutShape;
    this.tables = List.copyOf(tables);
    this.embeddingParameterNames = List.copyOf(embeddingParameterNames);
    this.embeddingParameterCount = embeddingParameterCount;
    this.summary = summary;
  }

  /**
   * The data of a model trained with {@code summary} (null when unknown) whose network, built by {@code shape}
   * under {@code layout}, holds {@code trained} (by its parameter names).
   */
  static CfModelData of(IdIndex users, IdIndex items, double globalMean, Map<String, float[]> trained,
      EmbeddingLayout layout, ModelFactory shape, TrainingSummary summary) {
    boolean uniform = layout == EmbeddingLayout.uniform();
    // the network tells the tables' names, widths and stored entries; a uniform one needs no values, so its tables
    // hold no row (a mixed one's blocks hold only the trained entries' worth)
    TrainableModel network = uniform ? Parameter.buildingCompact(shape::create) : shape.create();
    List<EmbeddingTable> embeddingTables = ((HasEmbeddingTables) network).embeddingTables();
    int dim = embeddingTables.get(0).dim();
    List<String> tables = new ArrayList<>();
    List<String> embeddingNames = new ArrayList<>();
    long count = 0;
    for (EmbeddingTable table : embeddingTables) {
      tables.add(table.name());
      for (Parameter p : table.parameters()) {
        embeddingNames.add(p.name());
      }
      count += uniform ? fullSize(table) : table.embeddingParameterCount();
    }
    return new CfModelData(users, items, globalMean, dim, layout, trained, shape, tables, embeddingNames, count,
        summary);
  }

  /**
   * The full tables of a non-uniform layout: a network under the layout, loaded with the trained parameters, gives
   * each embedding table's full form in place of its first parameter (a full table is kept as trained); every other
   * parameter is kept as trained.
   */
  private Map<String, float[]> fullTables() {
    TrainableModel network = layoutShape.create();
    ParameterValues.copyInto(network.parameters(), trainedParameters);
    Map<Parameter, EmbeddingTable> owner = new IdentityHashMap<>();
    List<EmbeddingTable> embeddingTables = ((HasEmbeddingTables) network).embeddingTables();
    for (EmbeddingTable table : embeddingTables) {
      for (Parameter p : table.parameters()) {
        owner.put(p, table);
      }
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Parameter p : network.parameters()) {
      EmbeddingTable table = owner.get(p);
      if (table == null) {
        out.put(p.name(), trainedParameters.get(p.name()));
      } else if (!out.containsKey(table.name())) {
        out.put(table.name(), table instanceof Embedding ? trainedParameters.get(table.name()) : table.toDense());
      }
    }
    for (EmbeddingTable table : embeddingTables) {
      out.putIfAbsent(table.name(), table.toDense()); // a table pruned to no dimensions stores no parameter
    }
    return out;
  }

  /** The floats of {@code table}'s parameters at full size (a compact table's full shape). */
  private static long fullSize(EmbeddingTable table) {
    long n = 0;
    for (Parameter p : table.parameters()) {
      long size = 1;
      for (int d : p.shape()) {
        size *= d;
      }
      n += size;
    }
    return n;
  }

  IdIndex users() {
    return users;
  }

  IdIndex items() {
    return items;
  }

  double globalMean() {
    return globalMean;
  }

  /** The width of the embedding tables (every CF network's tables share it: MF's rank, NCF's embeddingDim). */
  int embeddingDim() {
    return embeddingDim;
  }

  /**
   * The parameters with every embedding table in full, by name, in network order; not copied. Under a non-uniform
   * layout the first call in a JVM derives the full tables from the trained ones.
   */
  Map<String, float[]> parameters() {
    if (layoutShape == null) {
      return trainedParameters;
    }
    Map<String, float[]> derived = full;
    if (derived == null) {
      synchronized (this) {
        derived = full;
        if (derived == null) {
          derived = fullTables();
          full = derived;
        }
      }
    }
    return derived;
  }

  /**
   * The trained parameters when their embedding tables are held in the cluster ({@link TrainedParameters}, a
   * sharded run's or a load's above the broadcast limit), else null; derives nothing.
   */
  TrainedParameters inCluster() {
    return trainedParameters instanceof TrainedParameters trained ? trained : null;
  }

  /** The layout the embedding tables were trained in. */
  EmbeddingLayout layout() {
    return layout;
  }

  /** The parameters as the network under {@link #layout()} names them, in network order; not copied. */
  Map<String, float[]> trainedParameters() {
    return trainedParameters;
  }

  /** Copies of the embedding tables' trained parameters by name, in network order. */
  Map<String, float[]> embeddingParameters() {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (String name : embeddingParameterNames) {
      out.put(name, trainedParameters.get(name).clone());
    }
    return out;
  }

  /** Stored embedding entries over all tables, not counting selection weights. */
  long embeddingParameterCount() {
    return embeddingParameterCount;
  }

  /** How the model was trained, or null when unknown. */
  TrainingSummary summary() {
    return summary;
  }

  /**
   * The same predictions from the full tables: this data under the uniform layout, without the summary, its
   * parameters in a plain map (what executors need to score; a table a sharded run left in the cluster is read
   * here, and the map serializes with any serializer). This data itself when it is uniform and holds a plain map.
   */
  CfModelData asUniform() {
    if (layout == EmbeddingLayout.uniform() && !(trainedParameters instanceof TrainedParameters)) {
      return this;
    }
    Map<String, float[]> plain = new LinkedHashMap<>(parameters());
    long count = 0;
    for (String table : tables) {
      count += plain.get(table).length;
    }
    return new CfModelData(users, items, globalMean, embeddingDim, EmbeddingLayout.uniform(), plain, null, tables,
        tables, count, null);
  }

  /**
   * What executors need to score, recommend and read vectors, to broadcast: this data itself, which serializes the
   * trained parameters only, so that each executor derives a non-uniform layout's full tables itself, once per JVM
   * ({@link #parameters()}), and the driver's own derivation serves every use on the driver; a table a sharded run
   * left in the cluster is read here instead ({@link #asUniform()}), as tasks cannot read it.
   */
  CfModelData forExecutors() {
    return trainedParameters instanceof TrainedParameters ? asUniform() : this;
  }

  /**
   * This data without parameters or summary: the ids, global mean and width that executors need next to a network
   * they are given (scoring that pulls the rows of tables a sharded run left in the cluster).
   */
  CfModelData idsOnly() {
    return new CfModelData(users, items, globalMean, embeddingDim, EmbeddingLayout.uniform(), new LinkedHashMap<>(),
        null, tables, List.of(), 0, null);
  }

  void save(SparkSession spark, String path) {
    StructType idsSchema = new StructType()
        .add("userIds", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
        .add("itemIds", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
        .add("globalMean", DataTypes.DoubleType, false)
        .add("embeddingDim", DataTypes.IntegerType, false);
    spark.createDataFrame(List.of(RowFactory.create(users.ids(), items.ids(), globalMean, embeddingDim)), idsSchema)
        .write().parquet(path + "/data/ids");
    ParameterTables.write(spark, path + "/data/parameters", trainedParameters);
    EmbeddingLayouts.write(spark, path + "/data/embeddingLayout", layout);
    if (summary != null) {
      summary.write(spark, path + "/data/summary");
    }
  }

  /** Reads what {@link #save} wrote; {@code networks} builds the network of the saved shape and layout. */
  static CfModelData load(SparkSession spark, String path, Networks networks) {
    Row ids = spark.read().parquet(path + "/data/ids").first();
    List<Integer> userIds = ids.getList(0);
    List<Integer> itemIds = ids.getList(1);
    IdIndex users = new IdIndex(userIds.stream().mapToInt(Integer::intValue).toArray());
    IdIndex items = new IdIndex(itemIds.stream().mapToInt(Integer::intValue).toArray());
    double globalMean = ids.getDouble(2);
    EmbeddingLayout layout = EmbeddingLayouts.readIfPresent(spark, path + "/data/embeddingLayout");
    String parameters = path + "/data/parameters";
    Map<String, float[]> trained;
    ModelFactory shape;
    if (ids.schema().getFieldIndex("embeddingDim").isDefined()) {
      shape = networks.factory(users.size(), items.size(), globalMean, ids.getInt(3), layout);
      trained = ParameterTables.read(spark, parameters, shape); // large tables stay in the cluster
    } else {
      // models saved before the width was recorded are uniform and start with a full user table
      trained = ParameterTables.read(spark, parameters);
      shape = networks.factory(users.size(), items.size(), globalMean,
          trained.values().iterator().next().length / users.size(), layout);
    }
    return of(users, items, globalMean, trained, layout, shape,
        TrainingSummary.readIfPresent(spark, path + "/data/summary"));
  }
}
