package dev.sparkrec.seq;

import dev.sparkrec.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Histories with a planted signal: {@value #ITEMS} items (ids 0-19) and {@value #CONTEXTS} contexts (ids 20-23);
 * each row's target is an item and a context, its history 0 to 12 random items, and the label is 1 exactly when the
 * target item occurs in the history (10% of labels flipped). No single target id predicts the label.
 */
final class SeqTestData {

  static final int ITEMS = 20;
  static final int CONTEXTS = 4;
  static final int NUM_FEATURES = ITEMS + CONTEXTS;

  static final StructType SCHEMA = new StructType()
      .add("featureIds", DataTypes.createArrayType(DataTypes.IntegerType))
      .add("history", DataTypes.createArrayType(DataTypes.IntegerType))
      .add("label", DataTypes.DoubleType);

  private SeqTestData() {}

  static Dataset<Row> generate(int rows, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Row> out = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      int item = random.nextInt(ITEMS);
      Integer[] history = new Integer[random.nextInt(13)];
      boolean seen = false;
      for (int t = 0; t < history.length; t++) {
        history[t] = random.nextInt(ITEMS);
        seen |= history[t] == item;
      }
      double label = seen ? 1 : 0;
      if (random.nextDouble() < 0.1) {
        label = 1 - label;
      }
      out.add(RowFactory.create(new Integer[] {item, ITEMS + random.nextInt(CONTEXTS)}, history, label));
    }
    return SparkTestSession.get().createDataFrame(out, SCHEMA);
  }
}
