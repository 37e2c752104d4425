package dev.sparkrec.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;

/**
 * Checks that a stage's params are reachable through its public Java accessors: {@code getX()} (or
 * {@code isX()} for a boolean) returns the param's value, and {@code setX(value)} sets that param and returns
 * the stage.
 */
final class ParamAccessors {

  private static final Map<Class<?>, Class<?>> BOXES = Map.of(int.class, Integer.class, long.class, Long.class,
      double.class, Double.class, float.class, Float.class, boolean.class, Boolean.class, short.class, Short.class,
      byte.class, Byte.class, char.class, Character.class);

  private ParamAccessors() {}

  /**
   * What is wrong with the accessors of {@code stage}'s params, one line each; empty when nothing is.
   *
   * @param settersRequired whether every param outside {@code readOnly} needs a setter (estimators and
   *     transformers); a model's setters are checked where they exist
   */
  static List<String> check(PipelineStage stage, boolean settersRequired, Set<String> readOnly) {
    List<String> problems = new ArrayList<>();
    String owner = stage.getClass().getSimpleName();
    for (Param<?> param : stage.params()) {
      String name = param.name();
      String suffix = Character.toUpperCase(name.charAt(0)) + name.substring(1);
      Method getter = getter(stage.getClass(), suffix);
      List<Method> setters = setters(stage.getClass(), "set" + suffix);
      if (getter == null) {
        problems.add(owner + "." + name + ": no public get" + suffix + "()");
      }
      if (setters.isEmpty() && settersRequired && !readOnly.contains(name)) {
        problems.add(owner + "." + name + ": no public set" + suffix + "(value)");
      }
      if (!stage.isDefined(param)) {
        continue; // no default and not set: no value to round trip
      }
      Object value = stage.getOrDefault(param);
      if (getter != null) {
        Object got = invoke(getter, stage, problems, owner);
        if (!Objects.deepEquals(got, value)) {
          problems.add(owner + "." + getter.getName() + "() returns " + show(got) + ", the param holds " + show(value));
        }
      }
      if (!setters.isEmpty()) {
        roundTrip(stage, param, value, setters, getter, problems);
      }
    }
    return problems;
  }

  /** On a copy with {@code param} cleared: the setter sets it to {@code value}, and the getter reads it back. */
  private static void roundTrip(PipelineStage stage, Param<?> param, Object value, List<Method> setters, Method getter,
      List<String> problems) {
    String owner = stage.getClass().getSimpleName();
    Method setter = setters.stream().filter(m -> accepts(m.getParameterTypes()[0], value)).findFirst().orElse(null);
    if (setter == null) {
      problems.add(owner + "." + setters.get(0).getName() + " accepts no " + value.getClass().getSimpleName()
          + ", the type of the param's value");
      return;
    }
    PipelineStage copy = stage.copy(ParamMap.empty());
    Param<?> own = copy.getParam(param.name());
    copy.clear(own);
    Object returned = invoke(setter, copy, problems, owner, value);
    if (returned != copy) {
      problems.add(owner + "." + setter.getName() + "(value) does not return the stage");
    }
    if (!copy.isSet(own)) {
      problems.add(owner + "." + setter.getName() + "(value) does not set param " + param.name());
    } else if (!Objects.deepEquals(copy.getOrDefault(own), value)) {
      problems.add(owner + "." + setter.getName() + "(" + show(value) + ") sets " + show(copy.getOrDefault(own)));
    } else if (getter != null && !Objects.deepEquals(invoke(getter, copy, problems, owner), value)) {
      problems.add(owner + "." + getter.getName() + "() does not read back " + show(value) + " after "
          + setter.getName());
    }
  }

  private static Method getter(Class<?> cls, String suffix) {
    for (String prefix : new String[] {"get", "is"}) {
      try {
        Method m = cls.getMethod(prefix + suffix);
        boolean booleanOnly = prefix.equals("is");
        if (m.getReturnType() != void.class && !Modifier.isStatic(m.getModifiers())
            && (!booleanOnly || m.getReturnType() == boolean.class || m.getReturnType() == Boolean.class)) {
          return m;
        }
      } catch (NoSuchMethodException e) {
        // try the next prefix
      }
    }
    return null;
  }

  private static List<Method> setters(Class<?> cls, String name) {
    return Arrays.stream(cls.getMethods())
        .filter(m -> m.getName().equals(name) && m.getParameterCount() == 1 && !Modifier.isStatic(m.getModifiers())
            && !m.isBridge())
        .toList();
  }

  private static boolean accepts(Class<?> type, Object value) {
    return BOXES.getOrDefault(type, type).isInstance(value);
  }

  private static Object invoke(Method method, Object target, List<String> problems, String owner, Object... args) {
    try {
      method.trySetAccessible(); // a public method inherited from a package-private class or interface
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      problems.add(owner + "." + method.getName() + " threw " + e.getCause());
    } catch (IllegalAccessException e) {
      problems.add(owner + "." + method.getName() + " is not accessible: " + e.getMessage());
    }
    return null;
  }

  private static String show(Object value) {
    return value != null && value.getClass().isArray()
        ? Arrays.deepToString(new Object[] {value})
        : String.valueOf(value);
  }
}
