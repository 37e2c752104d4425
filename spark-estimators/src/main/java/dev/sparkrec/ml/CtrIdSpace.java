package dev.sparkrec.ml;

import static org.apache.spark.sql.functions.array_max;
import static org.apache.spark.sql.functions.array_min;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;

import dev.sparkrec.features.FieldEncodingMetadata;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The id space of a CTR model's training data: feature ids in {@code [0, numFeatures)}, {@code numFields} per row.
 * {@link #scan} finds it in one Spark pass over the ids, so bad ids fail before training with the column named.
 *
 * @param numFeatures the vocabulary size
 * @param numFields feature ids per row
 */
public record CtrIdSpace(int numFeatures, int numFields) {

  /**
   * The id space of {@code idsCol} (one id per field) and, when {@code sequenceCol} is not null, of that column's
   * arrays of any length in the same encoding: {@code numFeatures} is {@code numFeaturesParam} when positive, else
   * FieldEncoder's metadata on {@code idsCol}, else the largest id + 1. Fails naming the column on an empty column,
   * an id outside the space or rows with different field counts.
   */
  public static CtrIdSpace scan(Dataset<Row> data, String idsCol, int numFeaturesParam, String sequenceCol) {
    Row stats = data.select(min(array_min(col(idsCol))), max(array_max(col(idsCol))), min(size(col(idsCol))),
        max(size(col(idsCol))), min(sequenceCol == null ? lit(null).cast("int") : array_min(col(sequenceCol))),
        max(sequenceCol == null ? lit(null).cast("int") : array_max(col(sequenceCol)))).first();
    if (stats.isNullAt(1)) {
      throw new IllegalArgumentException("Column '" + idsCol + "' holds no feature ids: the training data is empty "
          + "or every array is null.");
    }
    int minId = stats.getInt(0);
    int maxId = stats.getInt(1);
    boolean hasEvents = !stats.isNullAt(5);
    int maxAny = hasEvents ? Math.max(maxId, stats.getInt(5)) : maxId;
    int numFeatures = numFeaturesParam > 0 ? numFeaturesParam
        : FieldEncodingMetadata.of(data.schema().apply(idsCol)).map(FieldEncodingMetadata::numFeatures)
            .orElse(maxAny + 1);
    if (minId < 0 || maxId >= numFeatures) {
      throw new IllegalArgumentException("Column '" + idsCol + "' has feature id " + (minId < 0 ? minId : maxId)
          + " outside [0, " + numFeatures + "); ids must come from one encoding of size numFeatures (FieldEncoder's "
          + "numFeatures()).");
    }
    if (hasEvents && (stats.getInt(4) < 0 || stats.getInt(5) >= numFeatures)) {
      throw new IllegalArgumentException("Column '" + sequenceCol + "' has feature id "
          + (stats.getInt(4) < 0 ? stats.getInt(4) : stats.getInt(5)) + " outside [0, " + numFeatures + "); history "
          + "events must be feature ids of the encoding featureIdsCol uses.");
    }
    int numFields = stats.getInt(3);
    if (stats.getInt(2) != numFields || numFields < 1) {
      throw new IllegalArgumentException("Column '" + idsCol + "' must hold the same number of ids in every row "
          + "(one per field) but rows hold between " + stats.getInt(2) + " and " + numFields + ".");
    }
    return new CtrIdSpace(numFeatures, numFields);
  }
}
