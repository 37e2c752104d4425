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
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** {@link AfnConfig}: the reference's defaults, validation naming the setting, and value semantics. */
class AfnNetworkConfigTest {

  private static AfnConfig.Builder frappe() {
    return AfnConfig.builder().numFeatures(5382).numFields(10);
  }

  @Test
  void defaultsAreTheReferenceFrappeSettings() {
    AfnConfig c = frappe().build();
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

  private static void assertRejected(UnaryOperator<AfnConfig.Builder> change, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> change.apply(frappe()).build());
    assertTrue(e.getMessage().contains(message), "message '" + e.getMessage() + "' should contain '" + message + "'");
  }

  @Test
  void buildNamesTheInvalidSetting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AfnConfig.builder().numFields(10).build());
    assertTrue(e.getMessage().contains("numFeatures is required"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> AfnConfig.builder().numFeatures(10).build());
    assertTrue(e.getMessage().contains("numFields is required"), e.getMessage());
    assertRejected(b -> b.embeddingDim(0), "embeddingDim must be > 0, got 0");
    assertRejected(b -> b.logNeurons(-3), "logNeurons must be > 0, got -3");
    assertRejected(b -> b.hiddenLayers(400, 0), "hiddenLayers must all be > 0, got [400, 0]");
    assertRejected(b -> b.dnnHiddenLayers(-1), "dnnHiddenLayers must all be > 0, got [-1]");
    assertRejected(b -> b.dropout(1.0), "dropout must be in [0, 1), got 1.0");
    assertRejected(b -> b.dnnDropout(-0.1), "dnnDropout must be in [0, 1), got -0.1");
    assertRejected(b -> b.logEpsilon(0), "logEpsilon must be positive and finite, got 0.0");
    assertRejected(b -> b.logEpsilon(Double.NaN), "logEpsilon must be positive and finite, got NaN");
    assertRejected(b -> b.batchNormMomentum(1.5), "batchNormMomentum must be in [0, 1], got 1.5");
    assertRejected(b -> b.numFeatures(300_000_000).embeddingDim(10), "the embedding tables");
    assertRejected(b -> b.embeddingDim(100_000).logNeurons(100_000), "the logarithmic layer's output");
  }

  @Test
  void emptyHiddenLayersAreAllowed() {
    AfnConfig c = frappe().hiddenLayers().dnnHiddenLayers().build();
    assertEquals(0, c.hiddenLayers().length);
    assertEquals(0, c.dnnHiddenLayers().length);
  }

  @Test
  void isAnImmutableValue() {
    int[] hidden = {8, 4};
    AfnConfig.Builder builder = frappe().hiddenLayers(hidden).ensemble(true).seed(7);
    AfnConfig c = builder.build();
    hidden[0] = 99;
    c.hiddenLayers()[1] = 99;
    assertArrayEquals(new int[] {8, 4}, c.hiddenLayers());
    builder.logNeurons(5);
    assertEquals(600, c.logNeurons());
    assertEquals(c, c.toBuilder().build());
    assertEquals(c.hashCode(), c.toBuilder().build().hashCode());
    assertNotEquals(c, c.toBuilder().logEpsilon(1e-5).build());
    assertTrue(c.toString().contains("hiddenLayers=[8, 4]"), c.toString());
  }

  @Test
  void serializes() throws Exception {
    AfnConfig c = frappe().ensemble(true).dnnHiddenLayers(16).dropout(0.2).build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(c);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(c, in.readObject());
    }
  }
}
