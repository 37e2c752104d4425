package dev.sparkrec.resus;

import dev.sparkrec.ml.CtrScorer;
import dev.sparkrec.train.Batch;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;

/**
 * Scores one partition of query rows joined with their users' adaptations, in their order: the rows of one user
 * within a chunk are scored together ({@link ResusNetwork#score}); rows without an adaptation keep the base logit. Each
 * output row holds the query's first {@code keep} columns and the raw prediction {@code [−z, z]}, the probability
 * {@code [1 − p, p]} and the thresholded label.
 */
final class AdaptedScorer implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;
  private static final int CHUNK = 512;

  private final ResusConfig config;
  private final Broadcast<Map<String, float[]>> parameters;
  private final CtrScorer rows;
  private final int keep;
  private final int userIndex;
  private final int logitIndex;
  private final int sizeIndex;
  private final int adaptationIndex;
  private final double threshold;

  AdaptedScorer(ResusConfig config, Broadcast<Map<String, float[]>> parameters, CtrScorer rows, int keep,
      int userIndex, int logitIndex, int sizeIndex, int adaptationIndex, double threshold) {
    this.config = config;
    this.parameters = parameters;
    this.rows = rows;
    this.keep = keep;
    this.userIndex = userIndex;
    this.logitIndex = logitIndex;
    this.sizeIndex = sizeIndex;
    this.adaptationIndex = adaptationIndex;
    this.threshold = threshold;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    ResusNetwork network = new ResusNetwork(config);
    network.setParameters(parameters.value());
    int fields = config.encoder().numFields();
    float[] logits = new float[CHUNK];
    List<Row> chunk = new ArrayList<>(CHUNK);
    Batch group = new Batch(CHUNK, fields, hasValues(), false);
    float[] groupBase = new float[CHUNK];
    float[] groupLogits = new float[CHUNK];
    return new Iterator<Row>() {
      private int next;

      @Override
      public boolean hasNext() {
        if (next < chunk.size()) {
          return true;
        }
        chunk.clear();
        next = 0;
        while (chunk.size() < CHUNK && input.hasNext()) {
          chunk.add(input.next());
        }
        if (chunk.isEmpty()) {
          return false;
        }
        // rows of one user share an adaptation: score each user's rows of the chunk together, keep the row order
        Map<Object, List<Integer>> byUser = new LinkedHashMap<>();
        for (int i = 0; i < chunk.size(); i++) {
          byUser.computeIfAbsent(chunk.get(i).get(userIndex), u -> new ArrayList<>()).add(i);
        }
        for (List<Integer> members : byUser.values()) {
          Row first = chunk.get(members.get(0));
          for (int g = 0; g < members.size(); g++) {
            Row row = chunk.get(members.get(g));
            rows.fill(group, g, row);
            groupBase[g] = (float) row.getDouble(logitIndex);
          }
          group.setSize(members.size());
          if (first.isNullAt(adaptationIndex)) {
            System.arraycopy(groupBase, 0, groupLogits, 0, members.size());
          } else {
            network.score(group, groupBase, adaptation(first), first.getInt(sizeIndex), groupLogits);
          }
          for (int g = 0; g < members.size(); g++) {
            logits[members.get(g)] = groupLogits[g];
          }
        }
        return true;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int i = next++;
        return CtrScorer.withPredictions(chunk.get(i), keep, logits[i], threshold);
      }
    };
  }

  private float[] adaptation(Row row) {
    List<Float> stored = row.getList(adaptationIndex);
    float[] adaptation = new float[stored.size()];
    for (int i = 0; i < adaptation.length; i++) {
      adaptation[i] = stored.get(i);
    }
    return adaptation;
  }

  private boolean hasValues() {
    return rows.fillsValues();
  }
}
