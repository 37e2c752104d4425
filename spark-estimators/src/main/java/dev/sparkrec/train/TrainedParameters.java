package dev.sparkrec.train;

import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The parameters a sharded run trained (or a model loaded with its tables in the cluster: {@link
 * dev.sparkrec.ml.ParameterTables#read(org.apache.spark.sql.SparkSession, String, ModelFactory)}), by name in model
 * order, as an unmodifiable map whose embedding tables stay in the cluster ({@link TrainedTables}) until something
 * reads them: the driver holds the dense parameters only, so its memory does not grow with the vocabulary.
 *
 * <p>{@link #get} of a table reads it to the driver once and keeps it; iterating the entries reads every table.
 * {@link #keySet}, {@link #size} and {@link #containsKey} read none. Saving through {@link
 * dev.sparkrec.ml.ParameterTables#write} writes the tables from the cluster ({@link #tablesInCluster}). Java
 * serialization writes a plain {@link LinkedHashMap} of every value, so a broadcast of this map or a model holding it
 * behaves as one holding arrays.
 */
public final class TrainedParameters extends AbstractMap<String, float[]> implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Every parameter in model order; a table not read yet maps to null. */
  private final LinkedHashMap<String, float[]> values;
  /** The position of each table left in the cluster among {@link #tables}' tables. */
  private final transient Map<String, Integer> inCluster;
  private final transient TrainedTables tables;

  /**
   * The parameters of {@code held}, in its order, where each null value stands for the table of that name in
   * {@code tables}.
   */
  public TrainedParameters(LinkedHashMap<String, float[]> held, TrainedTables tables) {
    this.values = new LinkedHashMap<>(held);
    this.tables = tables;
    this.inCluster = new HashMap<>();
    for (int j = 0; j < tables.names().size(); j++) {
      String name = tables.names().get(j);
      if (values.containsKey(name) && values.get(name) == null) {
        inCluster.put(name, j);
      }
    }
    for (Map.Entry<String, float[]> e : values.entrySet()) {
      if (e.getValue() == null && !inCluster.containsKey(e.getKey())) {
        throw new IllegalArgumentException("parameter '" + e.getKey() + "' has no values");
      }
    }
  }

  @Override
  public synchronized float[] get(Object key) {
    float[] v = values.get(key);
    if (v == null && key instanceof String name && inCluster.containsKey(name)) {
      v = tables.gather(inCluster.get(name));
      values.put(name, v);
    }
    return v;
  }

  @Override
  public boolean containsKey(Object key) {
    return values.containsKey(key);
  }

  @Override
  public int size() {
    return values.size();
  }

  @Override
  public Set<String> keySet() {
    return Collections.unmodifiableSet(values.keySet());
  }

  /** Every entry, reading to the driver each table not read yet. */
  @Override
  public synchronized Set<Entry<String, float[]>> entrySet() {
    for (String name : inCluster.keySet()) {
      get(name);
    }
    return Collections.unmodifiableMap(values).entrySet();
  }

  /** Whether the driver holds the values of {@code name} (a dense parameter, or a table read already). */
  public synchronized boolean isHeld(String name) {
    return values.get(name) != null;
  }

  /** The tables left in the cluster (whether read to the driver since or not), to be saved from there ({@link
   * #isInCluster} tells which of them are this map's). */
  public TrainedTables tablesInCluster() {
    return tables;
  }

  /** Whether {@code name} is one of {@link #tablesInCluster}'s tables. */
  public boolean isInCluster(String name) {
    return inCluster.containsKey(name);
  }

  /** A plain map of every value in its place. */
  private Object writeReplace() throws ObjectStreamException {
    synchronized (this) {
      entrySet();
      return new LinkedHashMap<>(values);
    }
  }
}
