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
 */
package dev.sparkrec.afn;
