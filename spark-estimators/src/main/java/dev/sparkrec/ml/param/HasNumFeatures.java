package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;

/** The {@code numFeatures} param, declared once for every SparkRec stage that has it. */
public interface HasNumFeatures extends SparkRecParams {

  /**
   * Size of the feature id space, ids in [0, numFeatures) (>= 0); 0 reads it from the FieldEncoder metadata of
   * featureIdsCol (an estimator without that metadata uses the largest id + 1). Default: 0.
   */
  default IntParam numFeatures() {
    return param("numFeatures", o -> new IntParam(o, "numFeatures",
        "size of the feature id space, ids in [0, numFeatures) (>= 0); 0 reads it from the FieldEncoder "
            + "metadata of featureIdsCol (an estimator without that metadata uses the largest id + 1). Default: 0",
        ParamValidators.gtEq(0)), 0);
  }

  default int getNumFeatures() {
    return (Integer) getOrDefault(numFeatures());
  }
}
