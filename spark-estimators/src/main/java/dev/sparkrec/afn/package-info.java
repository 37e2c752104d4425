/**
 * AFN and AFN+ (Adaptive Factorization Network, Cheng, Shen and Huang, AAAI'20): click-through-rate models that
 * learn cross features of arbitrary, real-valued order with logarithmic neurons.
 *
 * <p>{@link dev.sparkrec.afn.AfnConfig} holds the sizes (defaults from the official code's Frappe run),
 * {@link dev.sparkrec.afn.AfnNetwork} is the network the {@link dev.sparkrec.train.Trainer} fits, and
 * {@link dev.sparkrec.afn.CrossFeatureRanking} lists the learned cross features
 * ({@link dev.sparkrec.afn.CrossFeature}) of a trained network, measured on data: neurons by the loss increase
 * when ablated, fields by their share of the neuron's variation. The Spark ML stages {@code AFN} and
 * {@code AFNModel} wrap them for pipelines.
 *
 * <p>Both embedding tables ({@code afn.embedding}, AFN+'s {@code dnn.embedding}) are built by the configuration's
 * {@link dev.sparkrec.nn.embedding.EmbeddingLayout} (uniform by default, with the parameter names and saved form of
 * before), so {@code AFN} is an {@link dev.sparkrec.ml.EmbeddingEstimator}: it counts its tables' rows, trains
 * with searched mixed dimensions or soft selections and runs a dimension search, and {@code AFNModel} keeps and
 * saves the tables in their layout.
 */
package dev.sparkrec.afn;
