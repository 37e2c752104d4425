package dev.sparkrec.pipelines;

import dev.sparkrec.features.FeatureIdsToVector;
import dev.sparkrec.features.FieldEncoder;
import dev.sparkrec.features.FieldRoleCheck;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;

/**
 * Builds a click-through {@link Pipeline} from raw fields: {@link FieldRoleCheck} (the declared roles against the
 * column types), {@link FieldEncoder} (one id per field per row), then the model. A SparkRec CTR model ({@code AFN},
 * {@code FactorizationMachine}, {@code DeepFM}: anything with {@code featureIdsCol}) reads the encoder's ids and
 * values directly, the encoder writing to the columns the model reads; an MLlib classifier (anything with
 * {@code featuresCol}, e.g. {@code LogisticRegression}, {@code FMClassifier}) gets a {@link FeatureIdsToVector} in
 * between. The model passed is used as configured (its {@code labelCol} replaced only when {@link #label} is
 * given, on a copy); the result is an ordinary {@code Pipeline}: it saves, loads and tunes in
 * {@code CrossValidator} with a grid over the model's params.
 *
 * <p>Encoder defaults: numeric fields in 10 quantile buckets, every categorical value that occurs kept
 * ({@code minCount} 1), and {@code handleInvalid = "keep"} so that values unseen in training score through their
 * field's out-of-vocabulary id.
 */
public final class CtrPipelineBuilder {

  private final Set<String> categorical = new LinkedHashSet<>();
  private final Set<String> numeric = new LinkedHashSet<>();
  private String label;
  private String numericMode = FieldEncoder.BUCKETIZE;
  private int numBuckets = 10;
  private int minCount = 1;
  private String handleInvalid = "keep";
  private String sequence;
  private String sequenceField;
  private Estimator<?> model;

  CtrPipelineBuilder() {}

  /** Fields encoded one id per value: string, int, long or boolean columns. */
  public CtrPipelineBuilder categorical(String... columns) {
    for (String column : columns) {
      addField(categorical, column, "categorical");
    }
    return this;
  }

  /** Fields encoded as numbers (quantile buckets, or one id carrying the value): float or double columns. */
  public CtrPipelineBuilder numeric(String... columns) {
    for (String column : columns) {
      addField(numeric, column, "numeric");
    }
    return this;
  }

  /** The 0/1 label column, set on (a copy of) the model; unset, the model's own {@code labelCol} is kept. */
  public CtrPipelineBuilder label(String column) {
    this.label = requireName(column, "label");
    return this;
  }

  /** {@link FieldEncoder#numericMode()}: "bucketize" (default) or "value". */
  public CtrPipelineBuilder numericMode(String mode) {
    this.numericMode = mode;
    return this;
  }

  /** {@link FieldEncoder#numBuckets()} (default 10). */
  public CtrPipelineBuilder numBuckets(int buckets) {
    this.numBuckets = buckets;
    return this;
  }

  /** {@link FieldEncoder#minCount()} (default 1). */
  public CtrPipelineBuilder minCount(int count) {
    this.minCount = count;
    return this;
  }

  /** The encoder's {@code handleInvalid}: "keep" (default), "error" or "skip". */
  public CtrPipelineBuilder handleInvalid(String value) {
    this.handleInvalid = value;
    return this;
  }

  /**
   * A column of earlier values of {@code field} (an {@code array} of the same kind, e.g. a user's earlier items) for
   * a sequence model such as {@code LightningSeq}: the encoder turns it into ids of {@code field}'s vocabulary,
   * {@code column + "Ids"}, and the model (on a copy) reads them as its {@code historyCol}.
   */
  public CtrPipelineBuilder sequence(String column, String field) {
    this.sequence = requireName(column, "sequence");
    this.sequenceField = requireName(field, "sequence field");
    return this;
  }

  /** The CTR model: a SparkRec CTR estimator or an MLlib classifier. */
  public CtrPipelineBuilder model(Estimator<?> estimator) {
    this.model = estimator;
    return this;
  }

  /** The pipeline; fails naming what is missing or what the model cannot read. */
  public Pipeline build() {
    if (categorical.isEmpty() && numeric.isEmpty()) {
      throw new IllegalStateException("RecPipelines.ctr(): no fields; name them with categorical(...) and/or "
          + "numeric(...).");
    }
    if (model == null) {
      throw new IllegalStateException("RecPipelines.ctr(): no model; pass one with model(...), e.g. new AFN() or "
          + "new LogisticRegression().");
    }
    List<String> fields = new ArrayList<>(categorical);
    fields.addAll(numeric);
    FieldEncoder encoder = new FieldEncoder()
        .setInputCols(fields.toArray(new String[0]))
        .setNumericMode(numericMode)
        .setNumBuckets(numBuckets)
        .setMinCount(minCount)
        .setHandleInvalid(handleInvalid);
    List<PipelineStage> stages = new ArrayList<>();
    stages.add(new FieldRoleCheck().setCategoricalCols(categorical.toArray(new String[0]))
        .setNumericCols(numeric.toArray(new String[0])));
    stages.add(encoder);

    ParamMap extra = new ParamMap();
    if (label != null) {
      extra.put(requireParam("labelCol"), label);
    }
    if (sequence != null) {
      if (!fields.contains(sequenceField)) {
        throw new IllegalArgumentException("RecPipelines.ctr(): the sequence '" + sequence + "' holds values of '"
            + sequenceField + "', which is not one of the fields " + fields + ".");
      }
      encoder.setSequenceCols(sequence).setSequenceFields(sequenceField).setSequenceOutputCols(sequence + "Ids");
      extra.put(requireParam("historyCol"), sequence + "Ids");
    }
    if (model.hasParam("featureIdsCol")) {
      encoder.setFeatureIdsCol(stringParam("featureIdsCol"));
      String values = model.hasParam("featureValuesCol") ? stringParam("featureValuesCol") : "";
      if (!values.isEmpty()) {
        encoder.setFeatureValuesCol(values);
      }
    } else if (model.hasParam("featuresCol")) {
      stages.add(new FeatureIdsToVector().setFeatureIdsCol(encoder.getFeatureIdsCol())
          .setFeatureValuesCol(encoder.getFeatureValuesCol()).setOutputCol(stringParam("featuresCol")));
    } else {
      throw new IllegalArgumentException("RecPipelines.ctr(): the model " + model.getClass().getSimpleName()
          + " reads neither featureIdsCol (SparkRec's CTR models) nor featuresCol (MLlib's classifiers).");
    }
    stages.add(extra.size() == 0 ? model : model.copy(extra));
    return new Pipeline().setStages(stages.toArray(new PipelineStage[0]));
  }

  private String stringParam(String name) {
    return (String) model.getOrDefault(model.getParam(name));
  }

  @SuppressWarnings("unchecked")
  private Param<String> requireParam(String name) {
    if (!model.hasParam(name)) {
      throw new IllegalArgumentException("RecPipelines.ctr(): the model " + model.getClass().getSimpleName()
          + " has no " + name + " param.");
    }
    Param<?> param = model.getParam(name);
    return (Param<String>) param;
  }

  private void addField(Set<String> role, String column, String roleName) {
    requireName(column, roleName + " field");
    if (categorical.contains(column) || numeric.contains(column)) {
      throw new IllegalArgumentException("RecPipelines.ctr(): field '" + column + "' is named twice ("
          + (categorical.contains(column) ? "categorical" : "numeric") + " already).");
    }
    role.add(column);
  }

  private static String requireName(String column, String what) {
    if (column == null || column.isBlank()) {
      throw new IllegalArgumentException("RecPipelines.ctr(): a " + what + " column name is empty.");
    }
    return column;
  }
}
