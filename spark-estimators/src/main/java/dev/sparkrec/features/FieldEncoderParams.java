package dev.sparkrec.features;

import dev.sparkrec.ml.param.HasFeatureIdsCol;
import dev.sparkrec.ml.param.HasFeatureValuesCol;
import dev.sparkrec.ml.param.HasHandleInvalid;
import dev.sparkrec.ml.param.HasInputCols;

/**
 * The params {@link FieldEncoder} and {@link FieldEncoderModel} share: the fields to encode ({@code inputCols},
 * required), the output columns ({@code featureIdsCol}: one global id per field in {@code inputCols} order;
 * {@code featureValuesCol}: 1.0 for categorical and bucketized fields, the min-max scaled value in [0, 1] for
 * numeric fields in value mode) and {@code handleInvalid}: 'keep' (the default) maps nulls, NaNs and values unseen
 * at fit to the field's OOV id, 'skip' drops the row, 'error' fails naming the column and value; values too rare to
 * enter the vocabulary at fit always map to the OOV id.
 */
public interface FieldEncoderParams extends HasInputCols, HasHandleInvalid, HasFeatureIdsCol, HasFeatureValuesCol {

  /** {@code handleInvalid} value: map nulls, NaNs and unseen values to the field's OOV id. */
  String KEEP_INVALID = "keep";
  /** {@code handleInvalid} value: drop rows holding a null, NaN or unseen value. */
  String SKIP_INVALID = "skip";
  /** {@code handleInvalid} value: fail on the first null, NaN or unseen value. */
  String ERROR_INVALID = "error";

  /** Sets the encoder's default of the shared {@code handleInvalid}: "keep". */
  static void setDefaults(FieldEncoderParams stage) {
    stage.setDefault(stage.handleInvalid(), KEEP_INVALID);
  }
}
