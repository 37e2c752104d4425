package dev.sparkrec.train;

import java.io.Serializable;

/** One partition's validation logits with their labels and weights (null when the data has none). */
final class ValidationScores implements Serializable {

  private static final long serialVersionUID = 1L;

  final float[] logits;
  final float[] labels;
  final float[] weights;

  ValidationScores(float[] logits, float[] labels, float[] weights) {
    this.logits = logits;
    this.labels = labels;
    this.weights = weights;
  }
}
