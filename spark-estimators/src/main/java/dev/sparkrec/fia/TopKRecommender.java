package dev.sparkrec.fia;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.train.Batch;
import dev.sparkrec.train.TrainableModel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Recommends for one partition of user (or item) indices: scores each against every item (or user) with the
 * fitted network, in batches, and keeps the {@code k} best, highest score first and ties by smaller id. Outputs
 * ALS's rows: the id and an array of (other id, score) structs.
 */
final class TopKRecommender implements MapPartitionsFunction<Long, Row> {

  private static final long serialVersionUID = 1L;
  private static final int CHUNK = 4096;

  private final BroadcastNetwork network;
  private final boolean forUsers;
  private final int k;

  /** {@code forUsers}: the input indices are users and the candidates items; else the reverse. */
  TopKRecommender(BroadcastNetwork network, boolean forUsers, int k) {
    this.network = network;
    this.forUsers = forUsers;
    this.k = k;
  }

  @Override
  public Iterator<Row> call(Iterator<Long> indices) {
    TrainableModel model = network.build();
    CfModelData data = network.data();
    int numUsers = data.users().size();
    IdIndex queries = forUsers ? data.users() : data.items();
    IdIndex candidates = forUsers ? data.items() : data.users();
    int count = candidates.size();
    Tape tape = new Tape().training(false);
    Batch batch = new Batch(Math.min(CHUNK, count), 2, false, false);
    float[] outputs = new float[batch.capacity()];
    List<Row> out = new ArrayList<>();
    TopK best = new TopK(Math.min(k, count));
    while (indices.hasNext()) {
      int query = Math.toIntExact(indices.next());
      best.clear();
      rank(model, tape, batch, outputs, numUsers, forUsers, query, null, count, network::score, best);
      Row[] recommendations = new Row[best.size()];
      for (int r = 0; r < best.size(); r++) {
        recommendations[r] = RowFactory.create(candidates.id(best.index(r)), best.score(r));
      }
      out.add(RowFactory.create(queries.id(query), recommendations));
    }
    return out.iterator();
  }

  /**
   * Scores {@code query} (a user index when {@code forUsers}, else an item index) against {@code count} candidates,
   * {@code candidates[j]} or, when {@code candidates} is null, {@code j} itself, in batches of the batch's capacity
   * ({@code outputs} as long), offering each candidate's score to {@code best} in candidate order.
   */
  static void rank(TrainableModel model, Tape tape, Batch batch, float[] outputs, int numUsers, boolean forUsers,
      int query, int[] candidates, int count, Score score, TopK best) {
    int[] ids = batch.ids();
    for (int from = 0; from < count; from += batch.capacity()) {
      int size = Math.min(batch.capacity(), count - from);
      for (int j = 0; j < size; j++) {
        int candidate = candidates == null ? from + j : candidates[from + j];
        ids[2 * j] = forUsers ? query : candidate; // [userIndex, numUsers + itemIndex]
        ids[2 * j + 1] = numUsers + (forUsers ? candidate : query);
      }
      batch.setSize(size);
      tape.reset();
      model.logits(tape, batch, outputs);
      for (int j = 0; j < size; j++) {
        best.offer(candidates == null ? from + j : candidates[from + j], score.of(outputs[j]));
      }
    }
  }

  /** A score from a network output. */
  @FunctionalInterface
  interface Score {
    float of(float output);
  }

  /** The {@code capacity} best (index, score) pairs offered so far, best first; ties keep the earlier offer first. */
  static final class TopK {
    private final int[] indices;
    private final float[] scores;
    private int size;

    TopK(int capacity) {
      indices = new int[capacity];
      scores = new float[capacity];
    }

    void clear() {
      size = 0;
    }

    void offer(int index, float score) {
      int capacity = indices.length;
      if (capacity == 0 || (size == capacity && !(score > scores[size - 1]))) {
        return;
      }
      int at = size == capacity ? capacity - 1 : size++;
      while (at > 0 && score > scores[at - 1]) { // shift worse entries down; equal scores stay ahead
        indices[at] = indices[at - 1];
        scores[at] = scores[at - 1];
        at--;
      }
      indices[at] = index;
      scores[at] = score;
    }

    int size() {
      return size;
    }

    int index(int rank) {
      return indices[rank];
    }

    float score(int rank) {
      return scores[rank];
    }
  }
}
