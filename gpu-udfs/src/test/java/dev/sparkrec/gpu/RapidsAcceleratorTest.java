package dev.sparkrec.gpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

class RapidsAcceleratorTest {

  @Test
  void cpuTestClasspathHasNoPlugin() {
    assertFalse(RapidsAccelerator.pluginOnClasspath());
    assertFalse(RapidsAccelerator.isActive(SparkTestSession.get()));
  }

  @Test
  void activeOnlyWithJarAndPluginConfigured() {
    String plugin = RapidsAccelerator.SQL_PLUGIN_CLASS;
    assertTrue(RapidsAccelerator.isActive(true, plugin));
    assertTrue(RapidsAccelerator.isActive(true, "org.example.Other, " + plugin));
    assertFalse(RapidsAccelerator.isActive(false, plugin), "no plugin jar");
    assertFalse(RapidsAccelerator.isActive(true, ""), "plugin not configured");
    assertFalse(RapidsAccelerator.isActive(true, null), "plugin not configured");
    assertFalse(RapidsAccelerator.isActive(true, plugin + "Extra"), "a different class");
  }

  @Test
  void theCompileOnlyInterfaceDoesNotCountAsThePlugin() throws Exception {
    // The build compiles against a copy of com.nvidia.spark.RapidsUDF (left out of the jar); it is on the test
    // classpath, but without the plugin's SQLPlugin class the accelerator is absent.
    Class.forName("com.nvidia.spark.RapidsUDF", false, getClass().getClassLoader());
    assertFalse(RapidsAccelerator.pluginOnClasspath());
  }
}
