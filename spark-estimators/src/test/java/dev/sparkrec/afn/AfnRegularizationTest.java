package dev.sparkrec.afn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.train.RegularizeAndClip;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dense L2 penalty AFN trains with leaves out exactly the parameters the reference does not regularise. */
class AfnRegularizationTest {

  private static final AfnNetwork NETWORK = new AfnNetwork(AfnConfig.from(
      new AFN().setEmbeddingDim(2).setLogNeurons(3).setHiddenLayers(4).setDnnHiddenLayers(4).setEnsemble(true), 12, 3));

  @Test
  void everyExcludedSuffixNamesSomeParameter() {
    for (String suffix : AfnNetwork.UNREGULARIZED_SUFFIXES) {
      assertTrue(NETWORK.parameters().stream().anyMatch(p -> p.isTrainable() && p.name().endsWith(suffix)),
          "the L2 exclusion '" + suffix + "' matches no parameter of " + NETWORK.parameterValues().keySet());
    }
  }

  @Test
  void penaltyReachesWeightsButNotBiasesNormsOrTheEnsembleLayer() {
    List<Parameter> parameters = NETWORK.parameters();
    parameters.forEach(Parameter::zeroGrad);
    new RegularizeAndClip(0.5, 0.0, AfnNetwork.UNREGULARIZED_SUFFIXES, 0.0, 0.0).apply(parameters);
    for (Parameter p : parameters) {
      if (!p.isTrainable() || p.isSparseRows()) {
        continue;
      }
      boolean excluded = p.name().endsWith(".bias") || p.name().endsWith(".gamma") || p.name().endsWith(".beta")
          || p.name().equals("ensemble.weight");
      for (int i = 0; i < p.size(); i++) {
        float expected = excluded ? 0f : 0.5f * p.data()[i];
        assertEquals(expected, p.grad()[i], 1e-7, p.name() + "[" + i + "]");
      }
    }
  }
}
