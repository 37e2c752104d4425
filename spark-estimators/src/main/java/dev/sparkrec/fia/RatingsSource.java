package dev.sparkrec.fia;

import java.lang.reflect.Method;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import scala.collection.JavaConverters;

/**
 * Where a saved explainer's training ratings come from: a whole Delta table at one version (possibly with some of
 * its columns selected) is saved as that reference, its path and version, and read back with time travel; any other
 * DataFrame (files that may change, filtered or computed data) has no stable reference and is saved as a copy.
 *
 * @param path the Delta table's path
 * @param version the table version the ratings were read at
 */
record RatingsSource(String path, long version) {

  private static final String DELTA_INDEX = "org.apache.spark.sql.delta.files.TahoeLogFileIndex";

  /** The Delta table and version {@code ratings} reads in full, if it is one; empty otherwise. */
  static Optional<RatingsSource> of(Dataset<Row> ratings) {
    LogicalPlan plan = ratings.queryExecution().analyzed();
    while (plan instanceof Project && onlyColumns((Project) plan)) {
      plan = ((Project) plan).child();
    }
    if (!(plan instanceof LogicalRelation) || !(((LogicalRelation) plan).relation() instanceof HadoopFsRelation)) {
      return Optional.empty();
    }
    Object index = ((HadoopFsRelation) ((LogicalRelation) plan).relation()).location();
    if (!index.getClass().getName().equals(DELTA_INDEX)) {
      return Optional.empty();
    }
    try {
      Object filters = call(index, "partitionFilters");
      if (!((scala.collection.Seq<?>) filters).isEmpty()) {
        return Optional.empty(); // a part of the table
      }
      return Optional.of(new RatingsSource(call(index, "path").toString(), (Long) call(index, "version")));
    } catch (ReflectiveOperationException e) {
      return Optional.empty(); // another Delta version's index: save a copy
    }
  }

  /** The ratings at the recorded version. */
  Dataset<Row> read(SparkSession spark) {
    return spark.read().format("delta").option("versionAsOf", version).load(path);
  }

  private static boolean onlyColumns(Project project) {
    for (NamedExpression e : JavaConverters.seqAsJavaList(project.projectList())) {
      if (!(e instanceof Attribute)) {
        return false;
      }
    }
    return true;
  }

  private static Object call(Object target, String method) throws ReflectiveOperationException {
    Method m = target.getClass().getMethod(method);
    return m.invoke(target);
  }
}
