package dev.sparkrec.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.ml.Estimator;

/** Finds classes in a compiled-classes folder, and the model class an estimator fits. */
final class StageClasses {

  private StageClasses() {}

  /** The classes folder (or jar) {@code cls} was loaded from. */
  static Path rootOf(Class<?> cls) {
    try {
      return Paths.get(cls.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the classes of " + cls.getName(), e);
    }
  }

  /** Every classes folder on the class path that holds package {@code dev.sparkrec}. */
  static List<Path> rootsOfPackage(ClassLoader loader) throws IOException {
    List<Path> roots = new ArrayList<>();
    for (URL url : Collections.list(loader.getResources("dev/sparkrec"))) {
      if (!"file".equals(url.getProtocol())) {
        throw new IllegalStateException("classes of dev.sparkrec in " + url + ": only class folders are scanned");
      }
      try {
        roots.add(Paths.get(url.toURI()).getParent().getParent());
      } catch (URISyntaxException e) {
        throw new IllegalStateException(url.toString(), e);
      }
    }
    return roots;
  }

  /** Public, concrete classes under {@code root} assignable to {@code type}, loaded without initialising them. */
  static List<Class<?>> concreteSubclasses(Path root, Class<?> type, ClassLoader loader) {
    List<Class<?>> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
        String relative = root.relativize(file).toString();
        String name = relative.substring(0, relative.length() - ".class".length()).replace(file.getFileSystem()
            .getSeparator(), ".");
        if (name.endsWith("module-info") || name.endsWith("package-info")) {
          continue;
        }
        Class<?> cls = Class.forName(name, false, loader);
        int modifiers = cls.getModifiers();
        if (type.isAssignableFrom(cls) && !cls.isInterface() && !Modifier.isAbstract(modifiers)
            && !cls.isAnonymousClass() && !cls.isLocalClass()) {
          found.add(cls);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("cannot load a class found under " + root, e);
    }
    found.sort((a, b) -> a.getName().compareTo(b.getName()));
    return found;
  }

  /** The {@code M} of {@code Estimator<M>} that {@code stage} extends, or null when it is no estimator. */
  static Class<?> modelClassOf(Class<?> stage) {
    if (!Estimator.class.isAssignableFrom(stage)) {
      return null;
    }
    Map<TypeVariable<?>, Type> bindings = new HashMap<>();
    Class<?> cls = stage;
    while (cls != null && cls != Estimator.class) {
      Type parent = cls.getGenericSuperclass();
      Class<?> raw = cls.getSuperclass();
      if (parent instanceof ParameterizedType parameterized) {
        TypeVariable<?>[] variables = raw.getTypeParameters();
        Type[] arguments = parameterized.getActualTypeArguments();
        for (int i = 0; i < variables.length; i++) {
          Type argument = arguments[i];
          bindings.put(variables[i], argument instanceof TypeVariable<?> v && bindings.containsKey(v)
              ? bindings.get(v) : argument);
        }
      }
      cls = raw;
    }
    Type model = bindings.get(Estimator.class.getTypeParameters()[0]);
    if (model instanceof ParameterizedType parameterized) {
      model = parameterized.getRawType();
    }
    return model instanceof Class<?> c ? c : null;
  }
}
