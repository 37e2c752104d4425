package dev.sparkrec.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.FileSplit;
import org.apache.hadoop.mapred.InputSplit;
import org.apache.hadoop.mapred.TextInputFormat;
import org.apache.spark.api.java.JavaHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * Reads text files line by line on the executors and parses each line with a {@link LineParser}.
 *
 * <p>Lines come from Hadoop's {@code TextInputFormat}, so gzip and other Hadoop codecs are
 * decompressed by file extension, globs and comma-separated path lists work, and LF, CR and
 * CRLF all end a line. The raw bytes are decoded with the given charset (Spark's own text
 * source only knows UTF-8, and MovieLens files are Latin-1). Lines that are empty or only
 * whitespace are skipped. A parse failure is rethrown with the file, the line number and the
 * quoted line (for a split that does not start the file, the line number is found by reading
 * the file up to the bad line again; where that is impossible the byte offset is given).
 */
final class TextLineSource {

  private TextLineSource() {}

  /** Parses every line of {@code path} into a DataFrame of {@code schema}. */
  static Dataset<Row> parse(SparkSession spark, String path, Charset charset, LineParser parser,
      StructType schema) {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException("A file path is required but none was given.");
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // JavaSparkContext.hadoopFile returns a JavaHadoopRDD, which knows each partition's file split.
    JavaHadoopRDD<LongWritable, Text> lines = (JavaHadoopRDD<LongWritable, Text>)
        jsc.hadoopFile(path, TextInputFormat.class, LongWritable.class, Text.class);
    JavaRDD<Row> rows = lines.mapPartitionsWithInputSplit(new ParseSplit(charset.name(), parser), true);
    return spark.createDataFrame(rows, schema);
  }

  /** Parses one input split; static so that only the parser travels to the executors. */
  private static final class ParseSplit
      implements Function2<InputSplit, Iterator<Tuple2<LongWritable, Text>>, Iterator<Row>> {

    private final String charsetName;
    private final LineParser parser;

    ParseSplit(String charsetName, LineParser parser) {
      this.charsetName = charsetName;
      this.parser = parser;
    }

    @Override
    public Iterator<Row> call(InputSplit split, Iterator<Tuple2<LongWritable, Text>> records) {
      String file = split instanceof FileSplit ? ((FileSplit) split).getPath().toString() : split.toString();
      boolean fromFileStart = split instanceof FileSplit && ((FileSplit) split).getStart() == 0;
      return new ParsedRows(records, Charset.forName(charsetName), parser, file, fromFileStart);
    }
  }

  /** Lazily parsed rows of one split, skipping blank lines. */
  private static final class ParsedRows implements Iterator<Row> {

    private final Iterator<Tuple2<LongWritable, Text>> records;
    private final Charset charset;
    private final LineParser parser;
    private final String file;
    private final boolean fromFileStart;
    private long lineNumber;
    private Row next;

    ParsedRows(Iterator<Tuple2<LongWritable, Text>> records, Charset charset, LineParser parser,
        String file, boolean fromFileStart) {
      this.records = records;
      this.charset = charset;
      this.parser = parser;
      this.file = file;
      this.fromFileStart = fromFileStart;
    }

    @Override
    public boolean hasNext() {
      while (next == null && records.hasNext()) {
        Tuple2<LongWritable, Text> record = records.next();
        lineNumber++;
        Text text = record._2();
        String line = charset.equals(StandardCharsets.UTF_8)
            ? text.toString()
            : new String(text.getBytes(), 0, text.getLength(), charset);
        if (line.isBlank()) {
          continue;
        }
        try {
          next = parser.parse(line);
        } catch (IllegalArgumentException e) {
          String where = fromFileStart
              ? "line " + lineNumber
              : lineAt(file, record._1().get());
          throw new IllegalArgumentException(
              "Malformed record in " + file + ", " + where + ": '" + abbreviate(line) + "'. " + e.getMessage(),
              e);
        }
      }
      return next != null;
    }

    /**
     * "line N" for the line starting at byte {@code offset} of an uncompressed file, found by
     * counting line ends (LF, CR or CRLF, as Hadoop does) before it; only called on failure.
     * Falls back to the byte offset when the file cannot be read again.
     */
    private static String lineAt(String file, long offset) {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file);
      Configuration conf = new Configuration();
      if (new CompressionCodecFactory(conf).getCodec(path) == null) {
        try (InputStream in = new BufferedInputStream(path.getFileSystem(conf).open(path))) {
          long lineEnds = 0;
          int previous = -1;
          for (long position = 0; position < offset; position++) {
            int b = in.read();
            if (b < 0) {
              break;
            }
            if (b == '\r' || (b == '\n' && previous != '\r')) {
              lineEnds++;
            }
            previous = b;
          }
          return "line " + (lineEnds + 1);
        } catch (IOException | RuntimeException e) {
          // fall through to the byte offset
        }
      }
      return "the line at byte offset " + offset;
    }

    private static String abbreviate(String line) {
      return line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Row row = next;
      next = null;
      return row;
    }
  }
}
