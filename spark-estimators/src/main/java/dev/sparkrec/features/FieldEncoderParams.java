package dev.sparkrec.features;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.param.StringArrayParam;

/**
 * The params {@link FieldEncoder} and {@link FieldEncoderModel} share: input and output columns
 * and the handling of invalid values. Each stage creates them with the factories below, so the
 * names, docs and validators are written once; the defaults are the {@code DEFAULT_*} constants.
 */
public interface FieldEncoderParams extends Params {

  /** {@code handleInvalid} value: map nulls, NaNs and unseen values to the field's OOV id. */
  String KEEP_INVALID = "keep";
  /** {@code handleInvalid} value: drop rows holding a null, NaN or unseen value. */
  String SKIP_INVALID = "skip";
  /** {@code handleInvalid} value: fail on the first null, NaN or unseen value. */
  String ERROR_INVALID = "error";

  /** Default of {@code handleInvalid}. */
  String DEFAULT_HANDLE_INVALID = KEEP_INVALID;
  /** Default of {@code featureIdsCol}. */
  String DEFAULT_FEATURE_IDS_COL = "featureIds";
  /** Default of {@code featureValuesCol}. */
  String DEFAULT_FEATURE_VALUES_COL = "featureValues";

  /** The fields to encode, in order. */
  StringArrayParam inputCols();

  /** What to do at transform with nulls, NaNs and values unseen at fit. */
  Param<String> handleInvalid();

  /** Output column of feature ids. */
  Param<String> featureIdsCol();

  /** Output column of feature values. */
  Param<String> featureValuesCol();

  default String[] getInputCols() {
    return getOrDefault(inputCols());
  }

  default String getHandleInvalid() {
    return getOrDefault(handleInvalid());
  }

  default String getFeatureIdsCol() {
    return getOrDefault(featureIdsCol());
  }

  default String getFeatureValuesCol() {
    return getOrDefault(featureValuesCol());
  }

  /** Creates {@code inputCols} for {@code owner}. */
  static StringArrayParam inputColsParam(Params owner) {
    return new StringArrayParam(owner, "inputCols",
        "the fields to encode, in order: categorical (string, int, long, boolean) or numeric (float, double) "
            + "columns, one feature id each; required");
  }

  /** Creates {@code handleInvalid} for {@code owner}. */
  static Param<String> handleInvalidParam(Params owner) {
    return new Param<>(owner, "handleInvalid",
        "how transform treats nulls, NaNs and values unseen at fit: 'keep' maps them to the field's OOV id, "
            + "'skip' drops the row, 'error' fails naming the column and value (values too rare to enter the "
            + "vocabulary at fit always map to the OOV id). Default: keep",
        ParamValidators.inArray(new String[] {KEEP_INVALID, SKIP_INVALID, ERROR_INVALID}));
  }

  /** Creates {@code featureIdsCol} for {@code owner}. */
  static Param<String> featureIdsColParam(Params owner) {
    return new Param<>(owner, "featureIdsCol",
        "output column of feature ids, array<int> with one global id per input field in inputCols order. "
            + "Default: " + DEFAULT_FEATURE_IDS_COL);
  }

  /** Creates {@code featureValuesCol} for {@code owner}. */
  static Param<String> featureValuesColParam(Params owner) {
    return new Param<>(owner, "featureValuesCol",
        "output column of feature values, array<float> parallel to the ids: 1.0 for categorical and bucketized "
            + "fields, the min-max scaled value in [0, 1] for numeric fields in value mode. Default: "
            + DEFAULT_FEATURE_VALUES_COL);
  }
}
