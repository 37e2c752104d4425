package dev.sparkrec.train;

import java.util.Locale;

/**
 * The one-line epoch summary the trainer logs, e.g.
 * {@code epoch 3/20  train loss 0.4123  val logloss 0.3990  val auc 0.8123  1.2e5 examples/s  ETA 1m20s}, or
 * with {@code val rmse 0.9301} in place of the log loss and AUC when the trainer monitors RMSE.
 */
final class ProgressLine {

  private ProgressLine() {}

  static String format(EpochReport r, int maxEpochs, double etaSeconds, boolean hasValidation) {
    StringBuilder line = new StringBuilder();
    line.append(String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f", r.epoch(), maxEpochs, r.trainLoss()));
    if (hasValidation && !Double.isNaN(r.validationRmse())) {
      line.append(String.format(Locale.ROOT, "  val rmse %.4f", r.validationRmse()));
    } else if (hasValidation) {
      line.append(String.format(Locale.ROOT, "  val logloss %.4f  val auc %.4f", r.validationLogLoss(),
          r.validationAuc()));
    }
    line.append("  ").append(scientific(r.examplesPerSecond())).append(" examples/s");
    if (r.epoch() < maxEpochs) {
      line.append("  ETA ").append(duration(etaSeconds));
    }
    return line.toString();
  }

  /** {@code 123456 → "1.2e5"}. */
  static String scientific(double x) {
    if (!(x > 0) || Double.isInfinite(x)) {
      return String.valueOf(x);
    }
    int exponent = (int) Math.floor(Math.log10(x));
    String mantissa = String.format(Locale.ROOT, "%.1f", x / Math.pow(10, exponent));
    if (mantissa.equals("10.0")) {
      mantissa = "1.0";
      exponent++;
    }
    return mantissa + "e" + exponent;
  }

  /** {@code 80 → "1m20s"}, {@code 45 → "45s"}, {@code 7380 → "2h03m"}. */
  static String duration(double seconds) {
    long s = Math.round(Math.max(0, seconds));
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
