package dev.sparkrec.pipelines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * What {@code train} records beside a saved model, in {@code <model>/sparkrec-training.json}: the model kind, the
 * fitted pipeline's and the model stage's uids, the input it was trained on (path, format, Delta version, row
 * count) and, for a rating model, the rating column (which the fitted model does not keep), so a model can be traced
 * back to, and retrained from, the exact table version. Spark ML's loaders ignore the file.
 */
record TrainingRecord(String model, String pipelineUid, String modelUid, JobInput input, String ratingCol,
    double trainSeconds) {

  static final String FILE = "sparkrec-training.json";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  void write(SparkSession spark, String modelDir) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("model", model);
    map.put("pipeline_uid", pipelineUid);
    map.put("model_uid", modelUid);
    map.put("input", input.toMap());
    map.put("rating_col", ratingCol);
    map.put("train_seconds", trainSeconds);
    Path file = new Path(modelDir, FILE);
    try (OutputStream out = file.getFileSystem(spark.sparkContext().hadoopConfiguration()).create(file, true)) {
      JSON.writeValue(out, map);
    } catch (IOException e) {
      throw new JobFailure("cannot write " + file + ": " + JobFailure.firstLine(e));
    }
  }

  /** The record of the model saved at {@code modelDir}, or null when it has none (a model saved by other code). */
  static TrainingRecord read(SparkSession spark, String modelDir) {
    Path file = new Path(modelDir, FILE);
    try {
      FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(file)) {
        return null;
      }
      try (InputStream in = fs.open(file)) {
        Map<?, ?> map = JSON.readValue(in, Map.class);
        return new TrainingRecord((String) map.get("model"), (String) map.get("pipeline_uid"),
            (String) map.get("model_uid"), JobInput.fromMap((Map<?, ?>) map.get("input")),
            (String) map.get("rating_col"), ((Number) map.get("train_seconds")).doubleValue());
      }
    } catch (IOException | RuntimeException e) {
      throw new JobFailure("cannot read " + file + ": " + JobFailure.firstLine(e));
    }
  }
}
