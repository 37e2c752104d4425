package dev.sparkrec.ml.param;

import java.util.function.Function;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * A SparkRec stage's params: the {@code Has…} interfaces of this package, and a model's own params interface,
 * extend it. A stage implements {@link #paramRegistry()} with a field ({@code new ParamRegistry()}).
 */
public interface SparkRecParams extends Params {

  /** Where this stage's param objects live. */
  ParamRegistry paramRegistry();

  /** The param {@code name}, created by {@code create} on first use, without a shared default. */
  default <P extends Param<?>> P param(String name, Function<Params, P> create) {
    return paramRegistry().get(this, name, create, null);
  }

  /** The param {@code name}, created by {@code create} on first use with the default {@code defaultValue}. */
  default <P extends Param<?>> P param(String name, Function<Params, P> create, Object defaultValue) {
    return paramRegistry().get(this, name, create, defaultValue);
  }
}
