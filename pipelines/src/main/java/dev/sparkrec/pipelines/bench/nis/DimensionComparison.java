package dev.sparkrec.pipelines.bench.nis;

import dev.sparkrec.ml.EmbeddingEstimator;
import dev.sparkrec.ml.EmbeddingModel;
import dev.sparkrec.nis.EmbeddingDimensionsModel;
import dev.sparkrec.nis.NeuralInputSearch;
import dev.sparkrec.pipelines.bench.BenchReport;
import dev.sparkrec.pipelines.bench.SeedStats;
import dev.sparkrec.pipelines.bench.StageConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One base model's comparison in the NIS suites: uniform embedding dimensions ({@code <base>-uniform}), one DNIS
 * search at the largest of them ({@code <base>-dnis-search}: its seconds and α), and retrains with the searched
 * dimensions pruned to budgets of stored embedding entries ({@code <base>-dnis}): each uniform run's own count from
 * 4 dimensions up, and the best uniform run's divided by each of {@code bestDivisors}. Each budget is pruned two
 * ways ({@code pruning}): a dimension per frequency block, retrained from random embeddings and from the searched
 * ones with the pruned entries fixed at 0 ({@code warm_start}, DNIS's retraining of the searched subnetwork); and
 * by magnitude (DNIS's pruning of {@code E ⊙ α}: every feature keeps its largest entries), retrained both ways
 * too. Retrains run at the width {@link EmbeddingDimensionsModel#embeddingDim()}. Rows are
 * {@code {"system", "base", "dims", "embedding_params", <metric>, "train_seconds", "search_seconds", "config"}}
 * plus {@code saved_data_bytes}, the size of the model's saved data files
 * (DNIS rows add the budget, the pruning and the warm start; {@code dims} is then every table's dimension per
 * frequency block, most frequent block first — pruned by magnitude the most a feature of the block keeps — and
 * {@code mean_dims} the mean over the block's features).
 *
 * <p>Every system runs once per model seed ({@code seeds}: the uniform fits, the search and the retrains take it);
 * a row's metric is the mean over the seeds, with {@code <metric>_by_seed} and {@code <metric>_std} (the sample
 * standard deviation) beside it, {@code train_seconds} the median, and {@code embedding_params} the largest count of
 * any seed's model ({@code embedding_params_by_seed}); {@code dims} and {@code mean_dims} are the first seed's. The
 * best uniform run is the one of best mean.
 */
final class DimensionComparison {

  private static final Logger LOG = LoggerFactory.getLogger(DimensionComparison.class);

  /** The test metric: its JSON name, how it scores a transformed test set, and its direction. */
  record Metric(String name, ToDoubleFunction<Dataset<Row>> score, boolean higherIsBetter) {}

  /** The base estimator at an embedding dimension with a model seed. */
  interface BaseEstimator {
    Estimator<?> at(int dim, long seed);
  }

  private record Run(int dim, long params, double value) {}

  /** One fitted and scored model. */
  private record Fit(long params, double value, double seconds, long bytes) {}

  private DimensionComparison() {}

  static void run(String base, BaseEstimator estimator, int[] dims, int[] bestDivisors, long[] seeds,
      Dataset<Row> labelled, Dataset<Row> test, Metric metric, String validationCol, boolean quick,
      BenchReport report) {
    run(base, estimator, search -> search, dims, bestDivisors, seeds, labelled, test, metric, validationCol, quick,
        report);
  }

  /** As above, with the search's own settings ({@code searchSettings} applied to a default search). */
  static void run(String base, BaseEstimator estimator, UnaryOperator<NeuralInputSearch> searchSettings,
      int[] dims, int[] bestDivisors, long[] seeds, Dataset<Row> labelled, Dataset<Row> test, Metric metric,
      String validationCol, boolean quick, BenchReport report) {
    List<Run> uniform = new ArrayList<>();
    for (int d : dims) {
      Map<String, Object> row = report.measure(base + "-uniform", () -> {
        List<Fit> fits = new ArrayList<>();
        for (long seed : seeds) {
          fits.add(fitAndScore(base, "uniform " + d + " seed " + seed, estimator.at(d, seed), labelled, test,
              metric));
        }
        Map<String, Object> r = seedRow(base, fits, metric);
        r.put("dims", d);
        r.put("search_seconds", 0.0);
        r.put("config", seeded(Map.of("base", StageConfig.of(estimator.at(d, seeds[0]))), seeds));
        return r;
      });
      if (row.get(metric.name()) instanceof Double value) {
        uniform.add(new Run(d, ((Number) row.get("embedding_params")).longValue(), value));
      }
    }
    if (uniform.isEmpty()) {
      return;
    }
    Run best = uniform.get(0);
    for (Run u : uniform) {
      if (metric.higherIsBetter() ? u.value() > best.value() : u.value() < best.value()) {
        best = u;
      }
    }

    int maxDim = dims[dims.length - 1];
    EmbeddingDimensionsModel[] searched = new EmbeddingDimensionsModel[seeds.length];
    NeuralInputSearch[] searches = new NeuralInputSearch[seeds.length];
    for (int i = 0; i < seeds.length; i++) {
      int at = i;
      NeuralInputSearch search = searchSettings.apply(new NeuralInputSearch()
          .setEstimator(estimator.at(maxDim, seeds[i])).setValidationIndicatorCol(validationCol));
      if (quick) {
        search.setWarmStartEpochs(1).setSearchEpochs(1);
      }
      searches[i] = search;
      report.measure(base + "-dnis-search", () -> {
        searched[at] = search.fit(labelled);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("base", base);
        r.put("seed", seeds[at]);
        r.put("max_dim", maxDim);
        r.put("search_seconds", searched[at].searchSeconds());
        r.put("selection_weights", selectionWeights(searched[at]));
        r.put("config", StageConfig.of(search));
        return r;
      });
      if (searched[i] == null) {
        return;
      }
    }

    Map<String, Long> budgets = new LinkedHashMap<>();
    if (quick) { // one budget, the first fraction of the best uniform model's: a smoke test of every retrain
      budgets.put("best-uniform/" + bestDivisors[0], best.params() / bestDivisors[0]);
    } else {
      for (Run u : uniform) {
        if (u.dim() >= 4) {
          budgets.put("uniform-" + u.dim(), u.params());
        }
      }
      for (int divisor : bestDivisors) {
        budgets.put("best-uniform/" + divisor, best.params() / divisor);
      }
    }
    record Retrain(String pruning, boolean warm) {}
    List<Retrain> retrains = List.of(new Retrain("dimension", false), new Retrain("dimension", true),
        new Retrain("magnitude", false), new Retrain("magnitude", true));
    for (Map.Entry<String, Long> b : budgets.entrySet()) {
      for (Retrain retrain : retrains) {
        boolean warm = retrain.warm();
        report.measure(base + "-dnis", () -> {
          List<Fit> fits = new ArrayList<>();
          List<Double> searchSeconds = new ArrayList<>();
          EmbeddingDimensionsModel first = null;
          Estimator<?> firstEstimator = null;
          for (int i = 0; i < seeds.length; i++) {
            EmbeddingDimensionsModel dimsModel = searched[i].copy(ParamMap.empty()).setPruning(retrain.pruning())
                .withParameterBudget(b.getValue()).setWarmStart(warm);
            Estimator<?> e = estimator.at(dimsModel.embeddingDim(), seeds[i]);
            ((EmbeddingEstimator<?>) e).setEmbeddingDimensions(dimsModel);
            fits.add(fitAndScore(base, "dnis " + retrain.pruning() + " " + b.getKey() + (warm ? " warm" : "")
                + " seed " + seeds[i], e, labelled, test, metric));
            searchSeconds.add(dimsModel.searchSeconds());
            if (first == null) {
              first = dimsModel;
              firstEstimator = e;
            }
          }
          Map<String, Object> r = seedRow(base, fits, metric);
          r.put("dims", blockDims(first));
          r.put("mean_dims", meanDims(first));
          r.put("budget", b.getKey());
          r.put("parameter_budget", b.getValue());
          r.put("pruning", retrain.pruning());
          r.put("warm_start", warm);
          r.put("search_seconds", SeedStats.median(searchSeconds));
          Map<String, Object> config = new LinkedHashMap<>();
          config.put("base", StageConfig.of(firstEstimator));
          config.put("dimensions", StageConfig.of(first));
          config.put("search", StageConfig.of(searches[0]));
          r.put("config", seeded(config, seeds));
          return r;
        });
      }
    }
  }

  /** A row of the seeds' fits: mean metric, every seed's, their standard deviation, median seconds. */
  private static Map<String, Object> seedRow(String base, List<Fit> fits, Metric metric) {
    List<Double> values = fits.stream().map(Fit::value).toList();
    List<Long> params = fits.stream().map(Fit::params).toList();
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("base", base);
    row.put("embedding_params", params.stream().mapToLong(Long::longValue).max().orElse(0));
    row.put(metric.name(), SeedStats.mean(values));
    row.put(metric.name() + "_by_seed", values);
    row.put(metric.name() + "_std", SeedStats.std(values));
    row.put("train_seconds", SeedStats.median(fits.stream().map(Fit::seconds).toList()));
    row.put("embedding_params_by_seed", params);
    row.put("saved_data_bytes", fits.get(0).bytes());
    return row;
  }

  private static Map<String, Object> seeded(Map<String, Object> config, long[] seeds) {
    Map<String, Object> out = new LinkedHashMap<>(config);
    out.put("seeds", Arrays.stream(seeds).boxed().toList());
    return out;
  }

  private static Fit fitAndScore(String base, String label, Estimator<?> estimator, Dataset<Row> labelled,
      Dataset<Row> test, Metric metric) {
    long start = System.nanoTime();
    Model<?> model = (Model<?>) estimator.fit(labelled);
    double seconds = (System.nanoTime() - start) / 1e9;
    double value = metric.score().applyAsDouble(model.transform(test));
    long params = ((EmbeddingModel) model).embeddingParameterCount();
    long bytes = savedDataBytes((MLWritable) model);
    LOG.info("{} {}: {} embedding parameters ({} bytes saved), {} {}, {} s", base, label, params, bytes,
        metric.name(), value, seconds);
    return new Fit(params, value, seconds, bytes);
  }

  /** Bytes of the data files ({@code data/}) of {@code model} saved with Spark ML persistence to a fresh folder. */
  private static long savedDataBytes(MLWritable model) {
    try {
      Path dir = Files.createTempDirectory("sparkrec-nis-model");
      try {
        model.write().save(dir.resolve("model").toString());
        try (Stream<Path> files = Files.walk(dir.resolve("model").resolve("data"))) {
          return files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("."))
              .mapToLong(f -> f.toFile().length()).sum();
        }
      } finally {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every searched table's dimension per block, most frequent block first. */
  private static Map<String, Object> blockDims(EmbeddingDimensionsModel dims) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String table : dims.tables()) {
      out.put(table, Arrays.stream(dims.blockDimensions(table)).boxed().toList());
    }
    return out;
  }

  /** Every searched table's mean dimension per block (stored entries over features, 2 decimals). */
  private static Map<String, Object> meanDims(EmbeddingDimensionsModel dims) {
    Map<String, Object> out = new LinkedHashMap<>();
    List<Row> rows = dims.dimensions().orderBy("table", "block").collectAsList();
    for (String table : dims.tables()) {
      out.put(table, rows.stream().filter(r -> r.getString(0).equals(table))
          .map(r -> Math.round(r.getDouble(r.fieldIndex("meanDim")) * 100) / 100.0).toList());
    }
    return out;
  }

  /** The searched α of every block (rounded to 3 decimals), by table and block. */
  private static Map<String, Object> selectionWeights(EmbeddingDimensionsModel dims) {
    Map<String, Object> out = new LinkedHashMap<>();
    List<Row> rows = dims.selectionWeights().collectAsList();
    for (String table : dims.tables()) {
      Map<Integer, List<Double>> blocks = new TreeMap<>();
      for (Row r : rows) {
        if (r.getString(0).equals(table)) {
          blocks.computeIfAbsent(r.getInt(1), b -> new ArrayList<>()).add(Math.round(r.getFloat(3) * 1000) / 1000.0);
        }
      }
      out.put(table, blocks);
    }
    return out;
  }
}
