package dev.sparkrec.features;

import dev.sparkrec.ml.param.HasFeatureIdsCol;
import dev.sparkrec.ml.param.HasFeatureValuesCol;
import dev.sparkrec.ml.param.HasHandleInvalid;
import dev.sparkrec.ml.param.HasInputCols;
import org.apache.spark.ml.param.StringArrayParam;

/**
 * The params {@link FieldEncoder} and {@link FieldEncoderModel} share: the fields to encode ({@code inputCols},
 * required), the output columns ({@code featureIdsCol}: one global id per field in {@code inputCols} order;
 * {@code featureValuesCol}: 1.0 for categorical and bucketized fields, the min-max scaled value in [0, 1] for
 * numeric fields in value mode) and {@code handleInvalid}: 'keep' (the default) maps nulls, NaNs and values unseen
 * at fit to the field's OOV id, 'skip' drops the row, 'error' fails naming the column and value; values too rare to
 * enter the vocabulary at fit always map to the OOV id. {@code sequenceCols} are array columns of earlier values of a
 * field (a user's earlier items, say), each encoded element by element with the vocabulary of its
 * {@code sequenceFields} entry into an {@code array<int>} column ({@code sequenceOutputCols}); an element that is
 * null, NaN or unseen follows {@code handleInvalid} like a field's value, and a null array encodes as empty.
 */
public interface FieldEncoderParams extends HasInputCols, HasHandleInvalid, HasFeatureIdsCol, HasFeatureValuesCol {

  /** {@code handleInvalid} value: map nulls, NaNs and unseen values to the field's OOV id. */
  String KEEP_INVALID = "keep";
  /** {@code handleInvalid} value: drop rows holding a null, NaN or unseen value. */
  String SKIP_INVALID = "skip";
  /** {@code handleInvalid} value: fail on the first null, NaN or unseen value. */
  String ERROR_INVALID = "error";

  /** Array columns whose elements are values of a field, encoded with that field's vocabulary. */
  default StringArrayParam sequenceCols() {
    return param("sequenceCols", o -> new StringArrayParam(o, "sequenceCols",
        "array columns of earlier values of a field (e.g. a user's earlier items), encoded element by element with "
            + "the vocabulary of the matching sequenceFields entry; a null array encodes as empty. Default: none"),
        new String[0]);
  }

  default String[] getSequenceCols() {
    return getOrDefault(sequenceCols());
  }

  /** For each of {@code sequenceCols}, the field of {@code inputCols} whose vocabulary encodes its elements. */
  default StringArrayParam sequenceFields() {
    return param("sequenceFields", o -> new StringArrayParam(o, "sequenceFields",
        "for each of sequenceCols, the column of inputCols whose vocabulary encodes its elements. Default: none"),
        new String[0]);
  }

  default String[] getSequenceFields() {
    return getOrDefault(sequenceFields());
  }

  /** For each of {@code sequenceCols}, its {@code array<int>} output; empty for the column's name + "Ids". */
  default StringArrayParam sequenceOutputCols() {
    return param("sequenceOutputCols", o -> new StringArrayParam(o, "sequenceOutputCols",
        "for each of sequenceCols, the array<int> column of its feature ids; empty for each column's name followed "
            + "by 'Ids'. Default: empty"), new String[0]);
  }

  default String[] getSequenceOutputCols() {
    return getOrDefault(sequenceOutputCols());
  }

  /** The sequence outputs in effect: {@code sequenceOutputCols}, or each sequence column's name + "Ids". */
  default String[] sequenceOutputs() {
    String[] outputs = getSequenceOutputCols();
    if (outputs.length > 0) {
      return outputs;
    }
    String[] columns = getSequenceCols();
    String[] named = new String[columns.length];
    for (int i = 0; i < columns.length; i++) {
      named[i] = columns[i] + "Ids";
    }
    return named;
  }

  /** Sets the encoder's default of the shared {@code handleInvalid}: "keep". */
  static void setDefaults(FieldEncoderParams stage) {
    stage.setDefault(stage.handleInvalid(), KEEP_INVALID);
  }
}
