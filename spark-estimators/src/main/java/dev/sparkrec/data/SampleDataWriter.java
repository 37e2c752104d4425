package dev.sparkrec.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Writes the generated samples described in {@link SampleData} into a local folder, each as one
 * gzipped CSV file with a header (about 2 MB in all).
 *
 * <p>The bytes are the same for the same code on every run: the rows are deterministic, Spark
 * writes them through one partition in row order, and the gzip step is done here with
 * {@link GZIPOutputStream} (no timestamp or file name in the header) rather than by a Hadoop
 * codec whose output may depend on native libraries. Meant for a local session (the CLI's
 * {@code generate-sample-data}); the staging files go to a temporary folder inside {@code dir}.
 */
public final class SampleDataWriter {

  private SampleDataWriter() {}

  /** Writes every sample file of {@link SampleData} into {@code dir}, replacing existing ones. */
  public static void writeAll(SparkSession spark, Path dir) {
    try {
      Files.createDirectories(dir);
      Path staging = Files.createTempDirectory(dir, ".staging-");
      try {
        write(roundNumeric(SampleData.CTR_TRAIN.generate(spark), SampleData.CTR_TRAIN.numNumeric()), staging,
            dir.resolve(SampleData.CTR_TRAIN_FILE));
        write(roundNumeric(SampleData.CTR_TEST.generate(spark), SampleData.CTR_TEST.numNumeric()), staging,
            dir.resolve(SampleData.CTR_TEST_FILE));
        write(SampleData.RATINGS.generate(spark), staging, dir.resolve(SampleData.RATINGS_FILE));
        write(SampleData.COLD_START.generate(spark), staging, dir.resolve(SampleData.COLD_START_FILE));
      } finally {
        deleteRecursively(staging);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write the sample data into " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Rounds I0..I(n-1) to {@link SampleData#NUMERIC_DECIMALS} places (HALF_UP), keeping the column order. */
  static Dataset<Row> roundNumeric(Dataset<Row> data, int numNumeric) {
    List<Column> columns = new ArrayList<>();
    for (String name : data.columns()) {
      boolean numeric = false;
      for (int j = 0; j < numNumeric; j++) {
        numeric |= name.equals(SyntheticCtrData.numericColumn(j));
      }
      columns.add(numeric ? functions.round(functions.col(name), SampleData.NUMERIC_DECIMALS).as(name)
          : functions.col(name));
    }
    return data.select(columns.toArray(new Column[0]));
  }

  /** Writes {@code data} as one CSV part through Spark, then gzips it to {@code target}. */
  private static void write(Dataset<Row> data, Path staging, Path target) throws IOException {
    Path csvDir = staging.resolve(target.getFileName() + ".parts");
    data.coalesce(1).write().option("header", "true").csv(csvDir.toUri().toString());
    Path part = singlePart(csvDir);
    Path partial = staging.resolve(target.getFileName().toString());
    try (InputStream in = Files.newInputStream(part);
         OutputStream out = new BestGzipOutputStream(Files.newOutputStream(partial))) {
      in.transferTo(out);
    }
    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
  }

  private static Path singlePart(Path csvDir) throws IOException {
    List<Path> parts = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(csvDir, "part-*.csv")) {
      files.forEach(parts::add);
    }
    if (parts.size() != 1) {
      throw new IOException("Expected one CSV part in " + csvDir + " but found " + parts + ".");
    }
    return parts.get(0);
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(path);
      }
    }
  }

  /** gzip at the highest compression level; the header carries no timestamp or name. */
  private static final class BestGzipOutputStream extends GZIPOutputStream {
    BestGzipOutputStream(OutputStream out) throws IOException {
      super(out, 64 * 1024);
      def.setLevel(Deflater.BEST_COMPRESSION);
    }
  }
}
