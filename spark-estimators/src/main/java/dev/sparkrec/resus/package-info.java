/**
 * RESUS (Shen, Zhao, Cheng et al., ACM TOIS 2023): warming up cold users with a shared base CTR predictor plus a
 * residual inferred from each user's few interactions, as the published code computes it.
 *
 * <p>{@link dev.sparkrec.resus.ResusNetwork} is the residual network over the frozen base's logits: a DeepFM
 * encoder φ of its own, the ridge-regression learner ("rr", {@code ΔW = Xᵀ(XXᵀ + λI)⁻¹r} in closed form with a
 * learned λ) or the nearest-neighbour learner ("nn", softmax over a learned distance
 * {@code wᵀ|φ(x) − φ(x_j)|}), and one scale and bias per support size. {@link dev.sparkrec.resus.ResusConfig} holds
 * what it is built from and how it is meta-trained ({@link dev.sparkrec.resus.RESUS#config} builds it from the
 * params, in one place); {@link dev.sparkrec.resus.MetaTrainer} meta-trains it episodically on Spark, one episode
 * per training user and epoch, early-stopping on the validation users' AUC.
 *
 * <p>The Spark ML stages: {@link dev.sparkrec.resus.RESUS} fits the base (a {@link dev.sparkrec.deepfm.DeepFM} by
 * default, any SparkRec CTR estimator, or a given fitted model) and meta-trains the network;
 * {@link dev.sparkrec.resus.RESUSModel} adapts support rows into a per-user adaptation table — the serving path for
 * cold users, stored for instance as a Delta table — and scores queries with Spark's classifier columns.
 */
package dev.sparkrec.resus;
