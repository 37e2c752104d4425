package dev.sparkrec.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparkrec.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** L2 regularisation: λ·θ on dense weights and on the touched rows of embedding tables. */
class L2RegularizationTest {

  private Parameter weight;
  private Parameter bias;
  private Parameter table;
  private Parameter state;

  private List<Parameter> parameters() {
    weight = Parameter.dense("lin.weight", 2);
    weight.data()[0] = 1f;
    weight.data()[1] = -2f;
    weight.grad()[0] = 0.5f;
    weight.grad()[1] = 0.5f;
    bias = Parameter.dense("lin.bias", 1);
    bias.data()[0] = 3f;
    table = Parameter.sparseRows("emb", 3, 2);
    float[] rows = {1f, 1f, 2f, -4f, 5f, 5f};
    System.arraycopy(rows, 0, table.data(), 0, 6);
    table.grad()[2] = 0.1f;
    table.grad()[3] = 0.1f;
    table.touchRow(1);
    state = Parameter.state("bn.runningMean", 1);
    state.data()[0] = 10f;
    return List.of(weight, bias, table, state);
  }

  @Test
  void addsLambdaTimesThetaToDenseWeightsAndTouchedRows() {
    List<Parameter> params = parameters();
    new L2Regularization(0.1, 0.01).addTo(params);
    // weight: (0.5, 0.5) + 0.1·(1, −2) = (0.6, 0.3); bias: 0 + 0.1·3 = 0.3
    assertArrayEquals(new float[] {0.6f, 0.3f}, weight.grad(), 1e-7f);
    assertArrayEquals(new float[] {0.3f}, bias.grad(), 1e-7f);
    // touched row 1: (0.1, 0.1) + 0.01·(2, −4) = (0.12, 0.06); rows 0 and 2 not decayed
    assertArrayEquals(new float[] {0f, 0f, 0.12f, 0.06f, 0f, 0f}, table.grad(), 1e-7f);
    assertArrayEquals(new float[] {0f}, state.grad());
  }

  @Test
  void nameFilterExcludesBiases() {
    List<Parameter> params = parameters();
    new L2Regularization(0.1, 0, L2Regularization.namesNotEndingWith(".bias", ".gamma")).addTo(params);
    assertArrayEquals(new float[] {0.6f, 0.3f}, weight.grad(), 1e-7f);
    assertArrayEquals(new float[] {0f}, bias.grad());
    assertArrayEquals(new float[] {0f, 0f, 0.1f, 0.1f, 0f, 0f}, table.grad(), "embedding λ 0 is off");
  }

  @Test
  void rejectsNegativeWeights() {
    assertThrows(IllegalArgumentException.class, () -> new L2Regularization(-0.1, 0));
    assertThrows(IllegalArgumentException.class, () -> new L2Regularization(0, Double.NaN));
  }
}
