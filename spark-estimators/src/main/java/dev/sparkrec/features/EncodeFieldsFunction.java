package dev.sparkrec.features;

import org.apache.spark.SparkException;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;

/**
 * Encodes one row of input fields into (feature ids, feature values), reading the broadcast vocabulary;
 * returns null for a row to skip.
 */
final class EncodeFieldsFunction implements UDF1<Row, Row> {

  private static final long serialVersionUID = 1L;

  private final Broadcast<FieldVocabulary[]> fields;
  private final String[] columns;
  private final String handleInvalid;

  EncodeFieldsFunction(Broadcast<FieldVocabulary[]> fields, String[] columns, String handleInvalid) {
    this.fields = fields;
    this.columns = columns;
    this.handleInvalid = handleInvalid;
  }

  @Override
  public Row call(Row input) throws SparkException {
    FieldVocabulary[] vocabulary = fields.value();
    int[] ids = new int[vocabulary.length];
    float[] values = new float[vocabulary.length];
    for (int f = 0; f < vocabulary.length; f++) {
      Object raw = input.get(f);
      int local = vocabulary[f].localIndex(raw);
      if (local < 0) {
        if (FieldEncoderParams.SKIP_INVALID.equals(handleInvalid)) {
          return null;
        }
        if (FieldEncoderParams.ERROR_INVALID.equals(handleInvalid)) {
          throw invalid(f, raw, local);
        }
        local = FieldVocabulary.OOV;
      }
      ids[f] = vocabulary[f].offset + local;
      values[f] = vocabulary[f].featureValue(raw, local);
    }
    return RowFactory.create(ids, values);
  }

  private SparkException invalid(int f, Object raw, int local) {
    return new SparkException("Column '" + columns[f] + "' has " + FieldVocabulary.describeInvalid(raw, local)
        + "; set handleInvalid=\"keep\" to map such values to the field's OOV id (" + fields.value()[f].offset
        + ") or handleInvalid=\"skip\" to drop such rows.");
  }
}
