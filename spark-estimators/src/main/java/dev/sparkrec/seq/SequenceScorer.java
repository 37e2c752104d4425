package dev.sparkrec.seq;

import dev.sparkrec.ml.CtrScorer;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.train.Batch;
import dev.sparkrec.train.PulledRowsScoring;
import dev.sparkrec.train.TrainableModel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;

/**
 * Scores one partition for {@link LightningSeqModel}: rebuilds the network from the broadcast parameters once, then
 * scores chunks of rows holding at most {@value #CHUNK} rows and about {@value #CHUNK_EVENTS} history events
 * together (a longer history is scored alone), appending {@code [-z, z]}, {@code [1 - p, p]} and the thresholded
 * label. Target ids are read and checked by a {@link CtrScorer}; a null history or an id outside the vocabulary
 * fails naming the column and the value. As a {@link PulledRowsScoring.PartitionScorer} it scores with a network it
 * is given ({@code parameters} may then be null).
 */
final class SequenceScorer implements MapPartitionsFunction<Row, Row>, PulledRowsScoring.PartitionScorer {

  private static final long serialVersionUID = 1L;
  private static final int CHUNK = 256;
  private static final int CHUNK_EVENTS = 1 << 16;

  private final LightningSeqConfig config;
  private final Broadcast<Map<String, float[]>> parameters;
  private final CtrScorer targets;
  private final int historyIndex;
  private final String historyCol;
  private final double threshold;

  SequenceScorer(LightningSeqConfig config, Broadcast<Map<String, float[]>> parameters, CtrScorer targets,
      int historyIndex, String historyCol, double threshold) {
    this.config = config;
    this.parameters = parameters;
    this.targets = targets;
    this.historyIndex = historyIndex;
    this.historyCol = historyCol;
    this.threshold = threshold;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    LightningSeqNetwork network = new LightningSeqNetwork(config);
    network.setParameters(parameters.value());
    return score(network, rows);
  }

  @Override
  public void forEachBatch(Iterator<Row> rows, Consumer<Batch> step) {
    Chunks chunks = new Chunks(rows);
    List<Row> chunk = new ArrayList<>(CHUNK);
    while (chunks.read(chunk)) {
      step.accept(chunks.batch);
    }
  }

  @Override
  public Iterator<Row> score(TrainableModel network, Iterator<Row> rows) {
    Chunks chunks = new Chunks(rows);
    Tape tape = new Tape().training(false);
    float[] logits = new float[CHUNK];
    List<Row> chunk = new ArrayList<>(CHUNK);

    return new Iterator<Row>() {
      private int next;

      @Override
      public boolean hasNext() {
        if (next < chunk.size()) {
          return true;
        }
        next = 0;
        if (!chunks.read(chunk)) {
          return false;
        }
        tape.reset();
        network.logits(tape, chunks.batch, logits);
        return true;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int i = next++;
        Row row = chunk.get(i);
        return CtrScorer.withPredictions(row, row.size(), logits[i], threshold);
      }
    };
  }

  /** Reads rows into a reused batch, a chunk at a time. */
  private final class Chunks {
    private final Iterator<Row> rows;
    private final Batch batch = new Batch(CHUNK, config.numFields(), targets.fillsValues(), false, true);
    private Row pending;
    private int[] history = new int[16];

    Chunks(Iterator<Row> rows) {
      this.rows = rows;
    }

    /** Replaces {@code chunk} by the next chunk's rows, filled into {@link #batch}; false when none is left. */
    boolean read(List<Row> chunk) {
      chunk.clear();
      int events = 0;
      while (chunk.size() < CHUNK && (pending != null || rows.hasNext())) {
        Row row = pending != null ? pending : rows.next();
        pending = null;
        int length = readHistory(row);
        if (!chunk.isEmpty() && events + length > CHUNK_EVENTS) {
          pending = row;
          break;
        }
        targets.fill(batch, chunk.size(), row);
        batch.setSequence(chunk.size(), history, 0, length);
        events += length;
        chunk.add(row);
      }
      if (chunk.isEmpty()) {
        return false;
      }
      batch.setSize(chunk.size());
      return true;
    }

    /** Reads and checks {@code row}'s history into {@code history}; returns its length. */
    private int readHistory(Row row) {
      if (row.isNullAt(historyIndex)) {
        throw new IllegalArgumentException("Column '" + historyCol + "' is null in a row; a row without earlier "
            + "events needs an empty array.");
      }
      List<Integer> events = row.getList(historyIndex);
      if (events.size() > history.length) {
        history = new int[Math.max(events.size(), 2 * history.length)];
      }
      for (int i = 0; i < events.size(); i++) {
        Integer id = events.get(i);
        if (id == null || id < 0 || id >= config.numFeatures()) {
          throw new IllegalArgumentException("Column '" + historyCol + "' has feature id " + id + " outside the "
              + "model's vocabulary [0, " + config.numFeatures() + ") at position " + i + "; encode history events "
              + "with the encoding used for training.");
        }
        history[i] = id;
      }
      return events.size();
    }
  }
}
