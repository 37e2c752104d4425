package dev.sparkrec.fia;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.train.Batch;
import dev.sparkrec.train.PulledRowsScoring;
import dev.sparkrec.train.TrainableModel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Scores one partition for {@code transform}: rebuilds the fitted network once, then predicts chunks of rows,
 * appending the prediction. A row whose user or item was not in training (or is null) gets NaN, or is dropped. As a
 * {@link PulledRowsScoring.PartitionScorer} it lists the (user, item) pairs of a partition and scores with a network
 * it is given, whose tables hold only the rows those pairs read; {@link #network}'s data then needs only the ids.
 */
final class RatingScorer implements MapPartitionsFunction<Row, Row>, PulledRowsScoring.PartitionScorer {

  private static final long serialVersionUID = 1L;
  private static final int CHUNK = 1024;

  private final BroadcastNetwork network;
  private final int userIndex;
  private final int itemIndex;
  private final boolean dropUnknown;

  RatingScorer(BroadcastNetwork network, int userIndex, int itemIndex, boolean dropUnknown) {
    this.network = network;
    this.userIndex = userIndex;
    this.itemIndex = itemIndex;
    this.dropUnknown = dropUnknown;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    return score(network.build(), rows);
  }

  @Override
  public void forEachBatch(Iterator<Row> rows, Consumer<Batch> step) {
    CfModelData data = network.data();
    Batch batch = new Batch(CHUNK, 2, false, false);
    int[] ids = batch.ids();
    while (rows.hasNext()) {
      int known = 0;
      while (known < CHUNK && rows.hasNext()) {
        Row row = rows.next();
        int user = indexOf(data.users(), row, userIndex);
        int item = indexOf(data.items(), row, itemIndex);
        if (user >= 0 && item >= 0) {
          ids[2 * known] = user;
          ids[2 * known + 1] = data.users().size() + item;
          known++;
        }
      }
      if (known > 0) {
        batch.setSize(known);
        step.accept(batch);
      }
    }
  }

  @Override
  public Iterator<Row> score(TrainableModel model, Iterator<Row> rows) {
    CfModelData data = network.data();
    int numUsers = data.users().size();
    Tape tape = new Tape().training(false);
    Batch batch = new Batch(CHUNK, 2, false, false);
    float[] outputs = new float[CHUNK];
    List<Row> chunk = new ArrayList<>(CHUNK);
    int[] slot = new int[CHUNK]; // the row's place in the batch, or -1 when unknown

    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        while (next == chunk.size()) {
          if (!rows.hasNext()) {
            return false;
          }
          readChunk();
        }
        return true;
      }

      private void readChunk() {
        chunk.clear();
        next = 0;
        int known = 0;
        int[] ids = batch.ids();
        while (chunk.size() < CHUNK && rows.hasNext()) {
          Row row = rows.next();
          int user = indexOf(data.users(), row, userIndex);
          int item = indexOf(data.items(), row, itemIndex);
          if (user < 0 || item < 0) {
            if (dropUnknown) {
              continue;
            }
            slot[chunk.size()] = -1;
          } else {
            ids[2 * known] = user; // [userIndex, numUsers + itemIndex]
            ids[2 * known + 1] = numUsers + item;
            slot[chunk.size()] = known++;
          }
          chunk.add(row);
        }
        if (known > 0) {
          batch.setSize(known);
          tape.reset();
          model.logits(tape, batch, outputs);
        }
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int i = next++;
        Row row = chunk.get(i);
        float prediction = slot[i] < 0 ? Float.NaN : network.score(outputs[slot[i]]);
        Object[] values = new Object[row.size() + 1];
        for (int c = 0; c < row.size(); c++) {
          values[c] = row.get(c);
        }
        values[row.size()] = prediction;
        return RowFactory.create(values);
      }
    };
  }

  private static int indexOf(IdIndex index, Row row, int column) {
    return row.isNullAt(column) ? -1 : index.indexOf(((Number) row.get(column)).longValue());
  }
}
