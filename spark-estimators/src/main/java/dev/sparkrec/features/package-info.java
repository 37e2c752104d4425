/**
 * Field encoding: raw tabular fields to the (feature ids, feature values) input of SparkRec's CTR models.
 *
 * <p>{@link dev.sparkrec.features.FieldEncoder} fits a {@link dev.sparkrec.features.FieldEncoderModel} that
 * gives every row exactly one id and one float value per input field.
 *
 * <h2>Id layout</h2>
 * All fields share one global id space {@code [0, numFeatures)}. The fields take consecutive blocks in
 * {@code inputCols} order: field f owns {@code [offset_f, offset_f + size_f)} with {@code offset_0 = 0} and
 * {@code offset_{f+1} = offset_f + size_f}. Inside a block:
 * <ul>
 *   <li>{@code offset_f} is the field's <b>OOV id</b>. It stands for nulls and NaNs (under
 *       handleInvalid "keep"), values unseen at fit (likewise), and, always, categorical values seen at fit
 *       but left out of the vocabulary (count below {@code minCount}, or beyond {@code maxCategoriesPerField}).
 *       Its feature value is 1.0.</li>
 *   <li>Categorical field (string, int, long, boolean): {@code offset_f + r} for the value of rank r = 1, 2,
 *       ... in descending training count, ties broken by ascending value string (so ids do not depend on
 *       row order or partitioning). Feature value 1.0.</li>
 *   <li>Numeric field (float, double), numericMode "bucketize": {@code offset_f + 1 + b} for quantile bucket
 *       b = 0 .. (splits - 2), bucket b holding {@code [splits[b], splits[b+1])}. Feature value 1.0.</li>
 *   <li>Numeric field, numericMode "value": the single id {@code offset_f + 1}, whose feature value is
 *       {@code (x - min) / (max - min)} clipped to [0, 1], with min and max the finite extremes seen at fit
 *       (the one-id-per-numeric-field layout of AFN's Criteo input).</li>
 * </ul>
 * {@code FieldEncoderModel.featureFrequencies()} gives the training count of every id, the OOV ids counting
 * the training rows mapped to them.
 */
package dev.sparkrec.features;
