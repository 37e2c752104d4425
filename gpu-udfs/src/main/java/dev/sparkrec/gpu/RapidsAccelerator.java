package dev.sparkrec.gpu;

import org.apache.spark.sql.SparkSession;

/**
 * Tells whether the RAPIDS Accelerator for Apache Spark is present and switched on, so SparkRec can
 * register a UDF's GPU twin (a subclass implementing {@code com.nvidia.spark.RapidsUDF}) or its CPU
 * class.
 *
 * <p>A class that implements {@code RapidsUDF} cannot even be loaded where the plugin jar is absent,
 * so the choice is made here, by a classpath check, before any GPU class is touched.
 */
public final class RapidsAccelerator {

  /** The Spark plugin class that turns the accelerator on ({@code spark.plugins}). */
  public static final String SQL_PLUGIN_CLASS = "com.nvidia.spark.SQLPlugin";

  private RapidsAccelerator() {}

  /**
   * True when the RAPIDS plugin jar is on the classpath of the current thread: its SQL plugin class is found (the
   * class is looked up, not initialised). The interface alone is not enough: the gpu-udfs build compiles against a
   * copy of it that it does not publish.
   */
  public static boolean pluginOnClasspath() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    try {
      Class.forName(SQL_PLUGIN_CLASS, false, loader != null ? loader : RapidsAccelerator.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * True when GPU UDFs should be registered for {@code spark}: the plugin jar is present and the session was started
   * with the RAPIDS SQL plugin. {@code spark.rapids.sql.enabled} is not consulted: it can be switched at run time,
   * and a GPU twin serves a CPU plan through its row path.
   */
  public static boolean isActive(SparkSession spark) {
    return isActive(pluginOnClasspath(), spark.conf().get("spark.plugins", ""));
  }

  /** The decision itself, from the two facts it depends on. */
  static boolean isActive(boolean pluginOnClasspath, String sparkPlugins) {
    if (!pluginOnClasspath || sparkPlugins == null) {
      return false;
    }
    boolean pluginConfigured = false;
    for (String plugin : sparkPlugins.split(",")) {
      if (plugin.trim().equals(SQL_PLUGIN_CLASS)) {
        pluginConfigured = true;
      }
    }
    return pluginConfigured;
  }
}
