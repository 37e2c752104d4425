package dev.sparkrec.fia;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/**
 * The params of {@link MatrixFactorization}: the shared ones and the rank ({@link MatrixFactorizationModel} has
 * the shared ones with these defaults).
 * The training defaults were chosen on a validation split of MovieLens-100K {@code u1.base} (see
 * {@link MatrixFactorization}).
 */
final class MatrixFactorizationParamSet extends CfParamSet {

  private static final long serialVersionUID = 1L;

  /**
   * λ 0.1, initStd 0.01, 20 epochs of Adam at 0.003 on mini-batches of 256, parameters averaged once per epoch.
   * On a seeded 90/10 split of MovieLens-100K {@code u1.base} (rank 16, 2 partitions) the validation RMSE is
   * 0.9077 at its best epoch (16) and 0.9085 at epoch 20; λ 0.05 or 0.15, initStd 0.1 or 0.25, Adam 0.01 and
   * averaging every 8 mini-batches were each worse (0.913–0.926).
   */
  static final Defaults DEFAULTS = new Defaults(0.1, 0.01, 20, 0.003, 256, 0);

  final IntParam rank;

  MatrixFactorizationParamSet(Params owner) {
    super(owner, DEFAULTS);
    rank = new IntParam(owner, "rank", "rank of the factorization (positive). Default: 10", ParamValidators.gt(0));
  }

  @Override
  void setDefaults(Params owner) {
    super.setDefaults(owner);
    owner.setDefault(rank, 10);
  }
}
