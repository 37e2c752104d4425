package dev.sparkrec.data;

import java.io.Serializable;
import org.apache.spark.sql.Row;

/**
 * Turns one text line into one row. Runs on the executors, so implementations are small
 * serializable classes without references to Spark sessions or datasets.
 */
interface LineParser extends Serializable {

  /**
   * The row for {@code line} (the line terminator already removed), or null to skip the line.
   *
   * @throws IllegalArgumentException saying what is wrong with the line; the caller adds the
   *     file, the position and the line itself to the message
   */
  Row parse(String line);
}
