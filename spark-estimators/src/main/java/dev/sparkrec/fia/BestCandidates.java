package dev.sparkrec.fia;

import java.io.Serializable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * A query's best candidates so far: indices and scores, best first (higher score, then smaller index; NaN
 * last), at most {@code k}.
 */
final class BestCandidates implements Serializable {
  private static final long serialVersionUID = 1L;
  final int[] indices;
  final float[] scores;

  BestCandidates(int[] indices, float[] scores) {
    this.indices = indices;
    this.scores = scores;
  }

  /** What {@code top} holds, in this order (NaN last: an offer order can leave one ahead of a number). */
  static BestCandidates of(TopKRecommender.TopK top) {
    int n = top.size();
    int[] indices = new int[n];
    float[] scores = new float[n];
    for (int r = 0; r < n; r++) {
      int at = r;
      while (at > 0 && before(top.score(r), top.index(r), scores[at - 1], indices[at - 1])) {
        indices[at] = indices[at - 1];
        scores[at] = scores[at - 1];
        at--;
      }
      indices[at] = top.index(r);
      scores[at] = top.score(r);
    }
    return new BestCandidates(indices, scores);
  }

  /** The best {@code k} of both lists (or all of them, when they hold fewer). */
  static BestCandidates merge(BestCandidates a, BestCandidates b, int k) {
    int n = Math.min(k, a.indices.length + b.indices.length);
    int[] indices = new int[n];
    float[] scores = new float[n];
    int i = 0;
    int j = 0;
    for (int r = 0; r < n; r++) {
      boolean takeA = j >= b.indices.length
          || i < a.indices.length && before(a.scores[i], a.indices[i], b.scores[j], b.indices[j]);
      indices[r] = takeA ? a.indices[i] : b.indices[j];
      scores[r] = takeA ? a.scores[i++] : b.scores[j++];
    }
    return new BestCandidates(indices, scores);
  }

  /** Whether (score s, index x) ranks before (t, y): higher score first, NaN last, ties by smaller index. */
  static boolean before(float s, int x, float t, int y) {
    if (Float.isNaN(s) != Float.isNaN(t)) {
      return Float.isNaN(t);
    }
    return s > t || !(s < t) && x < y;
  }

  /** ALS's row: the query's id and its candidates' ids and scores. */
  Row toRow(int query, CfModelData ids, boolean forUsers) {
    IdIndex queries = forUsers ? ids.users() : ids.items();
    IdIndex candidates = forUsers ? ids.items() : ids.users();
    Row[] recommendations = new Row[indices.length];
    for (int r = 0; r < indices.length; r++) {
      recommendations[r] = RowFactory.create(candidates.id(indices[r]), scores[r]);
    }
    return RowFactory.create(queries.id(query), recommendations);
  }
}
