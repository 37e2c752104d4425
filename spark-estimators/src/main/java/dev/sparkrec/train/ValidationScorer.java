package dev.sparkrec.train;

import dev.sparkrec.nn.Tape;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/** Scores one partition of validation blocks with the broadcast parameters, in row order, as a Spark task. */
final class ValidationScorer implements Function2<Integer, Iterator<ExampleBlock>, Iterator<ValidationScores>> {

  private static final long serialVersionUID = 1L;

  private final Broadcast<ModelState> state;
  private final ModelFactory modelFactory;
  private final int batchSize;
  private final int fields;
  private final boolean hasValues;
  private final boolean hasWeights;
  private final boolean hasSequences;

  ValidationScorer(Broadcast<ModelState> state, ModelFactory modelFactory, int batchSize, ExampleData data) {
    this.state = state;
    this.modelFactory = modelFactory;
    this.batchSize = batchSize;
    this.fields = data.fields();
    this.hasValues = data.hasValues();
    this.hasWeights = data.hasWeights();
    this.hasSequences = data.hasSequences();
  }

  @Override
  public Iterator<ValidationScores> call(Integer partition, Iterator<ExampleBlock> it) {
    List<ExampleBlock> blocks = new ArrayList<>();
    it.forEachRemaining(blocks::add);
    int rows = 0;
    for (ExampleBlock block : blocks) {
      rows = Math.addExact(rows, block.rows());
    }
    float[] logits = new float[rows];
    float[] labels = new float[rows];
    float[] weights = hasWeights ? new float[rows] : null;
    if (rows > 0) {
      TrainableModel model = modelFactory.create();
      state.value().copyValuesInto(model.parameters());
      Tape tape = new Tape().training(false);
      Batch batch = new Batch(batchSize, fields, hasValues, hasWeights, hasSequences);
      float[] out = new float[batchSize];
      int done = 0;
      for (ExampleBlock block : blocks) {
        for (int start = 0; start < block.rows(); start += batchSize) {
          int size = Math.min(batchSize, block.rows() - start);
          for (int i = 0; i < size; i++) {
            block.copyRow(start + i, batch, i);
          }
          batch.setSize(size);
          tape.reset();
          model.logits(tape, batch, out);
          System.arraycopy(out, 0, logits, done, size);
          System.arraycopy(batch.labels(), 0, labels, done, size);
          if (hasWeights) {
            System.arraycopy(batch.weights(), 0, weights, done, size);
          }
          done += size;
        }
      }
    }
    return List.of(new ValidationScores(logits, labels, weights)).iterator();
  }
}
