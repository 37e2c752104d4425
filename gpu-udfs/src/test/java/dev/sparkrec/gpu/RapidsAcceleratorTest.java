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
  void activeOnlyWithJarPluginAndSqlEnabled() {
    String plugin = RapidsAccelerator.SQL_PLUGIN_CLASS;
    assertTrue(RapidsAccelerator.isActive(true, plugin, "true"));
    assertTrue(RapidsAccelerator.isActive(true, "org.example.Other, " + plugin, "TRUE"));
    assertFalse(RapidsAccelerator.isActive(false, plugin, "true"), "no plugin jar");
    assertFalse(RapidsAccelerator.isActive(true, "", "true"), "plugin not configured");
    assertFalse(RapidsAccelerator.isActive(true, plugin + "Extra", "true"), "a different class");
    assertFalse(RapidsAccelerator.isActive(true, plugin, "false"), "spark.rapids.sql.enabled=false");
  }
}
