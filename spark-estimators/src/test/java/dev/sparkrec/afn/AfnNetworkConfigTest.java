package dev.sparkrec.afn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link AfnConfig}: built from the params by the one mapping fit and the reader share, with the reference's
 * defaults; validation naming the setting; value semantics.
 */
class AfnNetworkConfigTest {

  private static AfnConfig frappe(AFN params) {
    return AfnConfig.from(params, 5382, 10);
  }

  @Test
  void defaultsAreTheReferenceFrappeSettings() {
    AfnConfig c = frappe(new AFN());
    assertEquals(5382, c.numFeatures());
    assertEquals(10, c.numFields());
    assertEquals(10, c.embeddingDim());
    assertEquals(600, c.logNeurons());
    assertArrayEquals(new int[] {400, 400, 400}, c.hiddenLayers());
    assertEquals(0.0, c.dropout());
    assertTrue(c.batchNorm());
    assertEquals(1e-4, c.logEpsilon());
    assertFalse(c.ensemble());
    assertArrayEquals(new int[] {400, 400, 400}, c.dnnHiddenLayers());
    assertEquals(0.0, c.dnnDropout());
    assertEquals(42L, c.seed());
    assertEquals(0.9, c.batchNormMomentum());
  }

  @Test
  void modelAndEstimatorMapTheSameParamsToTheSameConfig() {
    AFN estimator = new AFN().setEmbeddingDim(4).setLogNeurons(7).setEnsemble(true).setDnnDropout(0.25).setSeed(3);
    AFNModel model = new AFNModel("m");
    for (org.apache.spark.ml.param.ParamPair<?> pair : estimator.extractParamMap().toList()) {
      if (model.hasParam(pair.param().name())) {
        model.set(model.getParam(pair.param().name()), pair.value());
      }
    }
    assertEquals(frappe(estimator), AfnConfig.from(model, 5382, 10));
  }

  private static void assertRejected(Executable build, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    assertTrue(e.getMessage().contains(message), "message '" + e.getMessage() + "' should contain '" + message + "'");
  }

  private static AfnConfig config(int numFeatures, int embeddingDim, int logNeurons, int[] hidden, double dropout,
      double logEpsilon, int[] dnnHidden, double dnnDropout, double momentum) {
    return new AfnConfig(numFeatures, 10, embeddingDim, logNeurons, hidden, dropout, true, logEpsilon, false,
        dnnHidden, dnnDropout, 42, momentum);
  }

  @Test
  void constructorNamesTheInvalidSetting() {
    int[] h = {400};
    assertRejected(() -> AfnConfig.from(new AFN(), 0, 10), "numFeatures must be > 0");
    assertRejected(() -> AfnConfig.from(new AFN(), 10, 0), "numFields must be > 0");
    assertRejected(() -> config(10, 0, 6, h, 0, 1e-4, h, 0, 0.9), "embeddingDim must be > 0, got 0");
    assertRejected(() -> config(10, 2, -3, h, 0, 1e-4, h, 0, 0.9), "logNeurons must be > 0, got -3");
    assertRejected(() -> config(10, 2, 6, new int[] {400, 0}, 0, 1e-4, h, 0, 0.9),
        "hiddenLayers must all be > 0, got [400, 0]");
    assertRejected(() -> config(10, 2, 6, h, 0, 1e-4, new int[] {-1}, 0, 0.9),
        "dnnHiddenLayers must all be > 0, got [-1]");
    assertRejected(() -> config(10, 2, 6, h, 1.0, 1e-4, h, 0, 0.9), "dropout must be in [0, 1), got 1.0");
    assertRejected(() -> config(10, 2, 6, h, 0, 1e-4, h, -0.1, 0.9), "dnnDropout must be in [0, 1), got -0.1");
    assertRejected(() -> config(10, 2, 6, h, 0, 0, h, 0, 0.9), "logEpsilon must be positive and finite, got 0.0");
    assertRejected(() -> config(10, 2, 6, h, 0, Double.NaN, h, 0, 0.9),
        "logEpsilon must be positive and finite, got NaN");
    assertRejected(() -> config(10, 2, 6, h, 0, 1e-4, h, 0, 1.5), "batchNormMomentum must be in [0, 1], got 1.5");
    assertRejected(() -> config(300_000_000, 10, 6, h, 0, 1e-4, h, 0, 0.9), "the embedding tables");
    assertRejected(() -> config(10, 100_000, 100_000, h, 0, 1e-4, h, 0, 0.9), "the logarithmic layer's output");
  }

  @Test
  void paramValidatorsRejectWhatTheConfigRejects() {
    assertThrows(IllegalArgumentException.class, () -> new AFN().setLogNeurons(0));
    assertThrows(IllegalArgumentException.class, () -> new AFN().setDropout(1.0));
    assertThrows(IllegalArgumentException.class, () -> new AFN().setLogEpsilon(0));
  }

  @Test
  void emptyHiddenLayersAreAllowed() {
    AfnConfig c = frappe(new AFN().setHiddenLayers().setDnnHiddenLayers());
    assertEquals(0, c.hiddenLayers().length);
    assertEquals(0, c.dnnHiddenLayers().length);
  }

  @Test
  void isAnImmutableValue() {
    int[] hidden = {8, 4};
    AFN params = new AFN().setHiddenLayers(hidden).setEnsemble(true).setSeed(7);
    AfnConfig c = frappe(params);
    hidden[0] = 99;
    c.hiddenLayers()[1] = 99;
    assertArrayEquals(new int[] {8, 4}, c.hiddenLayers());
    params.setLogNeurons(5);
    assertEquals(600, c.logNeurons());
    AfnConfig same = frappe(new AFN().setHiddenLayers(8, 4).setEnsemble(true).setSeed(7));
    assertEquals(c, same);
    assertEquals(c.hashCode(), same.hashCode());
    assertNotEquals(c, frappe(new AFN().setHiddenLayers(8, 4).setEnsemble(true).setSeed(7).setLogEpsilon(1e-5)));
    assertNotEquals(c, c.withBatchNormMomentum(0.5));
    assertTrue(c.toString().contains("hiddenLayers=[8, 4]"), c.toString());
  }

  @Test
  void serializes() throws Exception {
    AfnConfig c = frappe(new AFN().setEnsemble(true).setDnnHiddenLayers(16).setDropout(0.2));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(c);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(c, in.readObject());
    }
  }
}
