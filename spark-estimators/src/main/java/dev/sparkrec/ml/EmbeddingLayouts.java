package dev.sparkrec.ml;

import dev.sparkrec.nn.embedding.BlockDimensions;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.nn.embedding.FeatureBlocks;
import dev.sparkrec.nn.embedding.MixedDimensionLayout;
import dev.sparkrec.nn.embedding.SoftSelectionLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Saves and loads an {@link EmbeddingLayout} beside a model's data, as Parquet with one row per searched table:
 * {@code kind} ("uniform", "softSelection" or "mixedDimensions"), {@code table}, {@code numBlocks},
 * {@code blockOfRow} (every row's block), {@code dims} and {@code kept} (every block's kept model dimensions;
 * mixed dimensions only). A uniform layout is one row of
 * kind "uniform".
 */
public final class EmbeddingLayouts {

  static final StructType SCHEMA = new StructType()
      .add("kind", DataTypes.StringType)
      .add("table", DataTypes.StringType)
      .add("numBlocks", DataTypes.IntegerType)
      .add("blockOfRow", DataTypes.createArrayType(DataTypes.IntegerType))
      .add("dims", DataTypes.createArrayType(DataTypes.IntegerType))
      .add("kept", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.IntegerType)));

  private static final String UNIFORM = "uniform";
  private static final String SOFT_SELECTION = "softSelection";
  private static final String MIXED = "mixedDimensions";

  private EmbeddingLayouts() {}

  /** Writes {@code layout} at {@code path}, replacing what is there. */
  public static void write(SparkSession spark, String path, EmbeddingLayout layout) {
    List<Row> rows = new ArrayList<>();
    if (layout instanceof SoftSelectionLayout soft) {
      soft.blocks().forEach((table, blocks) ->
          rows.add(RowFactory.create(SOFT_SELECTION, table, blocks.numBlocks(), boxed(blocks.blockOfRow()), null, null)));
    } else if (layout instanceof MixedDimensionLayout mixed) {
      mixed.tables().forEach((table, d) -> rows.add(RowFactory.create(MIXED, table, d.blocks().numBlocks(),
          boxed(d.blocks().blockOfRow()), boxed(d.dims()), kept(d))));
    } else if (layout == EmbeddingLayout.uniform()) {
      rows.add(RowFactory.create(UNIFORM, null, null, null, null, null));
    } else {
      throw new IllegalArgumentException("Cannot save embedding layout " + layout + " of "
          + layout.getClass().getName());
    }
    spark.createDataFrame(rows, SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite).parquet(path);
  }

  /**
   * The layout {@link #write} wrote at {@code path}, or the uniform layout when nothing is there (models saved
   * before layouts were persisted).
   */
  public static EmbeddingLayout readIfPresent(SparkSession spark, String path) {
    try {
      Path p = new Path(path);
      if (!p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p)) {
        return EmbeddingLayout.uniform();
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read " + path + ": " + e.getMessage(), e);
    }
    return read(spark, path);
  }

  /** Reads the layout {@link #write} wrote at {@code path}. */
  public static EmbeddingLayout read(SparkSession spark, String path) {
    List<Row> rows = spark.read().schema(SCHEMA).parquet(path).collectAsList();
    if (rows.isEmpty()) {
      throw new IllegalStateException("The embedding layout at " + path + " is empty.");
    }
    String kind = rows.get(0).getString(0);
    if (UNIFORM.equals(kind)) {
      return EmbeddingLayout.uniform();
    }
    Map<String, FeatureBlocks> blocks = new LinkedHashMap<>();
    Map<String, BlockDimensions> dims = new LinkedHashMap<>();
    for (Row r : rows) {
      if (!kind.equals(r.getString(0))) {
        throw new IllegalStateException("The embedding layout at " + path + " mixes kinds " + kind + " and "
            + r.getString(0) + ".");
      }
      FeatureBlocks b = new FeatureBlocks(r.getInt(2), unboxed(r.getList(3)));
      if (MIXED.equals(kind)) {
        dims.put(r.getString(1), r.isNullAt(5) ? new BlockDimensions(b, unboxed(r.getList(4)))
            : new BlockDimensions(b, keptColumn(r, 5)));
      } else if (SOFT_SELECTION.equals(kind)) {
        blocks.put(r.getString(1), b);
      } else {
        throw new IllegalStateException("Unknown embedding layout kind '" + kind + "' at " + path + ".");
      }
    }
    return MIXED.equals(kind) ? new MixedDimensionLayout(dims) : new SoftSelectionLayout(blocks);
  }

  /** Every block's kept dimensions as an {@code array<array<int>>} column value. */
  public static List<List<Integer>> kept(BlockDimensions d) {
    List<List<Integer>> out = new ArrayList<>();
    for (int b = 0; b < d.blocks().numBlocks(); b++) {
      out.add(boxed(d.kept(b)));
    }
    return out;
  }

  /** Reads what {@link #kept} wrote, from field {@code i} of {@code row}. */
  public static int[][] keptColumn(Row row, int i) {
    return row.<scala.collection.Seq<Integer>>getList(i).stream()
        .map(k -> unboxed(scala.collection.JavaConverters.seqAsJavaList(k))).toArray(int[][]::new);
  }

  private static List<Integer> boxed(int[] values) {
    List<Integer> out = new ArrayList<>(values.length);
    for (int v : values) {
      out.add(v);
    }
    return out;
  }

  private static int[] unboxed(List<Integer> values) {
    int[] out = new int[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
