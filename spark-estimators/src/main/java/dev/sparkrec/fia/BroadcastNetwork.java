package dev.sparkrec.fia;

import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.TrainableModel;
import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;

/**
 * A fitted network as executors rebuild it: the factory that builds the network's shape and the broadcast model
 * data whose parameters it then loads. Serializable; the parameters travel once per executor.
 */
final class BroadcastNetwork implements Serializable {

  private static final long serialVersionUID = 1L;

  private final ModelFactory factory;
  private final Broadcast<CfModelData> data;
  private final boolean probabilities;

  /** {@code probabilities}: the network's output is a logit and scores are its sigmoid. */
  BroadcastNetwork(ModelFactory factory, Broadcast<CfModelData> data, boolean probabilities) {
    this.factory = factory;
    this.data = data;
    this.probabilities = probabilities;
  }

  /** A network holding the fitted parameters; one per task (networks are single-threaded). */
  TrainableModel build() {
    TrainableModel network = factory.create();
    dev.sparkrec.nn.ParameterValues.copyInto(network.parameters(), data.value().parameters());
    return network;
  }

  CfModelData data() {
    return data.value();
  }

  /** The score of a network output: the output itself, or its sigmoid for a probability. */
  float score(float output) {
    return score(output, probabilities);
  }

  /** The score of a network output: the output itself, or its sigmoid when {@code probabilities}. */
  static float score(float output, boolean probabilities) {
    return probabilities ? (float) dev.sparkrec.nn.ops.Sigmoid.sigmoid(output) : output;
  }
}
