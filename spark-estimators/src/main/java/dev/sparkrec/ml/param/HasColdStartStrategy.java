package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;

/** The {@code coldStartStrategy} param, declared once for every SparkRec stage that has it. */
public interface HasColdStartStrategy extends SparkRecParams {

  /**
   * What transform does with a row whose user or item was not in the training data (or is null): 'nan' predicts
   * NaN, 'drop' removes the row, as in ALS. Default: nan.
   */
  default Param<String> coldStartStrategy() {
    return param("coldStartStrategy", o -> new Param<>(o, "coldStartStrategy",
        "what transform does with a row whose user or item was not in the training data (or is null): 'nan' "
            + "predicts NaN, 'drop' removes the row, as in ALS. Default: nan",
        ParamValidators.inArray(new String[] {"nan", "drop"})), "nan");
  }

  default String getColdStartStrategy() {
    return getOrDefault(coldStartStrategy());
  }
}
