/**
 * Explicit-rating recommenders and fast influence analysis (FIA, Cheng, Shen, Huang and Zhu, KDD'19).
 *
 * <p>{@link dev.sparkrec.fia.MatrixFactorization} and {@link dev.sparkrec.fia.NeuralCF} train on SparkRec's engine
 * with the weighted-λ objective described by {@link dev.sparkrec.fia.FactorizedPredictor}; their models, and MLlib's
 * ALS through {@link dev.sparkrec.fia.AlsFactorizedModel}, are {@link dev.sparkrec.fia.FactorizedModel}s that
 * {@link dev.sparkrec.fia.InfluenceExplainer} explains: for each (user, item) pair, the training ratings whose
 * removal would change the prediction most, estimated by {@link dev.sparkrec.fia.InfluenceCalculator} from the
 * Hessian restricted to the pair's user and item vectors. The explainer scores pairs grouped by user and by item
 * (package-private {@code GroupedExplanations}: one factored block per user and per item, one GEMM per chunk of
 * pairs, hot ids salted over tasks) and {@code recommendAndExplain} recommends and explains in one job.
 * {@link dev.sparkrec.fia.FullInfluence} is the full influence function over all parameters, kept as the benchmark's
 * baseline.
 *
 * <p>The two estimators are {@link dev.sparkrec.ml.EmbeddingEstimator}s: their user and item embedding tables are
 * built by an {@link dev.sparkrec.nn.embedding.EmbeddingLayout} (uniform by default), so they train with searched
 * mixed dimensions or a dimension search. A model keeps and saves its tables in their layout, and every reader of
 * its factors — scoring, recommendations, influence analysis — sees the full tables (zero-padded for mixed
 * dimensions), which predict the same.
 */
package dev.sparkrec.fia;
