package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;

/** The {@code embeddingSync} param, declared once for every SparkRec stage that trains embedding tables. */
public interface HasEmbeddingSync extends SparkRecParams {

  /**
   * How the embedding tables and their optimizer slots are synchronised each round: 'broadcast' with the other
   * parameters; 'sharded' as cluster-resident shards, of which each task receives and returns only the rows its
   * batches touch; 'auto' shards when the tables and slots reach 256 MiB. Both paths train bit-identical models.
   * Default: auto.
   */
  default Param<String> embeddingSync() {
    return param("embeddingSync", o -> new Param<>(o, "embeddingSync",
        "how the embedding tables and their optimizer slots are synchronised each round: 'broadcast' with the other "
            + "parameters; 'sharded' as cluster-resident shards, of which each task receives and returns only the "
            + "rows its batches touch; 'auto' shards when the tables and slots reach 256 MiB. Both paths train "
            + "bit-identical models. Default: auto",
        ParamValidators.inArray(new String[] {"broadcast", "sharded", "auto"})), "auto");
  }

  default String getEmbeddingSync() {
    return getOrDefault(embeddingSync());
  }
}
