package dev.sparkrec.ml.param;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The param objects of one stage, each created the first time its accessor asks for it.
 *
 * <p>A Java interface cannot hold a per-stage field the way MLlib's {@code HasMaxIter} trait holds
 * {@code final val maxIter}; so each {@code Has…} interface declares its param once, as a factory plus its
 * shared default, and this registry, a field of the stage, keeps the single instance per stage. Spark finds the
 * params through the interfaces' public accessors, as it does for MLlib's traits.
 */
public final class ParamRegistry implements Serializable {

  private static final long serialVersionUID = 1L;

  private final Map<String, Param<?>> params = new HashMap<>();

  /**
   * The param {@code name} of {@code owner}, created by {@code create} on first use; a non-null
   * {@code defaultValue} becomes its default then (a stage may override it in its own {@code setDefault} block).
   */
  @SuppressWarnings("unchecked")
  synchronized <P extends Param<?>> P get(Params owner, String name, Function<Params, P> create,
      Object defaultValue) {
    Param<?> param = params.get(name);
    if (param == null) {
      param = create.apply(owner);
      params.put(name, param);
      if (defaultValue != null) {
        owner.setDefault((Param<Object>) param, defaultValue);
      }
    }
    return (P) param;
  }
}
