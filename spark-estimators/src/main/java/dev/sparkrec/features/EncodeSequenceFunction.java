package dev.sparkrec.features;

import org.apache.spark.SparkException;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.api.java.UDF1;
import scala.collection.Seq;

/**
 * Encodes one array of a field's values (a sequence column) into feature ids with that field's broadcast
 * vocabulary; a null array is empty; returns null for a row to skip.
 */
final class EncodeSequenceFunction implements UDF1<Seq<Object>, int[]> {

  private static final long serialVersionUID = 1L;

  private final Broadcast<FieldVocabulary[]> fields;
  private final int field;
  private final String column;
  private final String handleInvalid;

  EncodeSequenceFunction(Broadcast<FieldVocabulary[]> fields, int field, String column, String handleInvalid) {
    this.fields = fields;
    this.field = field;
    this.column = column;
    this.handleInvalid = handleInvalid;
  }

  @Override
  public int[] call(Seq<Object> values) throws SparkException {
    if (values == null) {
      return new int[0];
    }
    FieldVocabulary vocabulary = fields.value()[field];
    int[] ids = new int[values.length()];
    for (int i = 0; i < ids.length; i++) {
      Object raw = values.apply(i);
      int local = vocabulary.localIndex(raw);
      if (local < 0) {
        if (FieldEncoderParams.SKIP_INVALID.equals(handleInvalid)) {
          return null;
        }
        if (FieldEncoderParams.ERROR_INVALID.equals(handleInvalid)) {
          throw new SparkException("Sequence column '" + column + "' has "
              + FieldVocabulary.describeInvalid(raw, local) + " at position " + i
              + "; set handleInvalid=\"keep\" to map such values to the field's OOV id (" + vocabulary.offset
              + ") or handleInvalid=\"skip\" to drop such rows.");
        }
        local = FieldVocabulary.OOV;
      }
      ids[i] = vocabulary.offset + local;
    }
    return ids;
  }
}
