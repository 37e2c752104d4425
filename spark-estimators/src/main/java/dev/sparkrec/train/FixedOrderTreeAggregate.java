package dev.sparkrec.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import scala.Tuple2;

/**
 * Spark's {@code treeAggregate} with a fixed tree: combines one value per partition so that the result
 * does not depend on which task finished first.
 *
 * <p>{@code treeAggregate} and {@code reduce} merge partition results in task-completion order, and
 * floating-point addition is not associative, so two identical runs can differ in the last bits. Here
 * each level maps child {@code i} (a partition index) to group {@code i / fanIn}, shuffles with
 * {@code groupByKey} into one partition per group, and inside each group sorts the children by index and
 * merges them left to right; levels repeat until at most {@code fanIn} values remain, which the driver
 * collects (in partition order) and merges the same way. With {@code fanIn ≈ √partitions} this is one
 * shuffle level, like {@code treeAggregate}'s default depth 2. The merge function may reuse its first
 * argument.
 */
final class FixedOrderTreeAggregate {

  private FixedOrderTreeAggregate() {}

  /** The fan-in used for {@code partitions} children: ⌈√partitions⌉, at least 2. */
  static int fanIn(int partitions) {
    return Math.max(2, (int) Math.ceil(Math.sqrt(partitions)));
  }

  /**
   * Merges the values of {@code leaves}, which must hold exactly one value per partition, in the fixed
   * order described above.
   */
  static <T extends Serializable> T aggregate(JavaRDD<T> leaves, Function2<T, T, T> merge, int fanIn) {
    if (fanIn < 2) {
      throw new IllegalArgumentException("fanIn must be >= 2, got " + fanIn);
    }
    JavaRDD<T> level = leaves;
    int children = leaves.getNumPartitions();
    while (children > fanIn) {
      int groups = (children + fanIn - 1) / fanIn;
      JavaPairRDD<Integer, Tuple2<Integer, T>> keyed = JavaPairRDD.fromJavaRDD(
          level.mapPartitionsWithIndex(new KeyByGroup<>(fanIn), false));
      // HashPartitioner(groups) puts integer key g (0 <= g < groups) in partition g.
      level = keyed.groupByKey(groups).mapPartitionsWithIndex(new MergeGroup<>(merge), false);
      children = groups;
    }
    List<T> values = level.collect();
    if (values.isEmpty()) {
      throw new IllegalStateException("nothing to aggregate: the RDD has no partitions");
    }
    try {
      T acc = values.get(0);
      for (int i = 1; i < values.size(); i++) {
        acc = merge.call(acc, values.get(i));
      }
      return acc;
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The same fold as {@link #aggregate}, done locally: {@code leaves.get(i)} is partition i's value, or null
   * for a partition whose value is the merge's identity (one that trained on nothing). Each level merges
   * children {@code [g·fanIn, (g+1)·fanIn)} left to right into group g until at most {@code fanIn} remain,
   * which are merged left to right; nulls are skipped. With a merge whose identity is skipped, as
   * {@link WeightedSums#merge} skips an empty contribution, the result is what {@link #aggregate} returns.
   * Null when every leaf is null.
   */
  static <T> T foldInTreeOrder(List<T> leaves, java.util.function.BinaryOperator<T> merge, int fanIn) {
    if (fanIn < 2) {
      throw new IllegalArgumentException("fanIn must be >= 2, got " + fanIn);
    }
    List<T> level = leaves;
    while (level.size() > fanIn) {
      List<T> groups = new ArrayList<>();
      for (int from = 0; from < level.size(); from += fanIn) {
        groups.add(foldLeft(level.subList(from, Math.min(level.size(), from + fanIn)), merge));
      }
      level = groups;
    }
    return foldLeft(level, merge);
  }

  private static <T> T foldLeft(List<T> values, java.util.function.BinaryOperator<T> merge) {
    T acc = null;
    for (T value : values) {
      if (value != null) {
        acc = acc == null ? value : merge.apply(acc, value);
      }
    }
    return acc;
  }

  /** Emits partition {@code i}'s single value as {@code (i / fanIn, (i, value))}. */
  private static final class KeyByGroup<T>
      implements Function2<Integer, Iterator<T>, Iterator<Tuple2<Integer, Tuple2<Integer, T>>>> {
    private static final long serialVersionUID = 1L;
    private final int fanIn;

    KeyByGroup(int fanIn) {
      this.fanIn = fanIn;
    }

    @Override
    public Iterator<Tuple2<Integer, Tuple2<Integer, T>>> call(Integer partition, Iterator<T> it) {
      if (!it.hasNext()) {
        throw new IllegalStateException("partition " + partition + " produced no value to aggregate");
      }
      T value = it.next();
      if (it.hasNext()) {
        throw new IllegalStateException("partition " + partition + " produced more than one value to aggregate");
      }
      return List.of(new Tuple2<>(partition / fanIn, new Tuple2<>(partition, value))).iterator();
    }
  }

  /** Merges one group's children in child-index order. */
  private static final class MergeGroup<T>
      implements Function2<Integer, Iterator<Tuple2<Integer, Iterable<Tuple2<Integer, T>>>>, Iterator<T>> {
    private static final long serialVersionUID = 1L;
    private final Function2<T, T, T> merge;

    MergeGroup(Function2<T, T, T> merge) {
      this.merge = merge;
    }

    @Override
    public Iterator<T> call(Integer partition, Iterator<Tuple2<Integer, Iterable<Tuple2<Integer, T>>>> it)
        throws Exception {
      if (!it.hasNext()) {
        throw new IllegalStateException("group " + partition + " received no children");
      }
      Tuple2<Integer, Iterable<Tuple2<Integer, T>>> group = it.next();
      if (it.hasNext() || group._1() != partition.intValue()) {
        throw new IllegalStateException("partition " + partition + " must hold exactly group " + partition);
      }
      List<Tuple2<Integer, T>> children = new ArrayList<>();
      group._2().forEach(children::add);
      children.sort(Comparator.comparingInt(Tuple2::_1));
      T acc = children.get(0)._2();
      for (int i = 1; i < children.size(); i++) {
        acc = merge.call(acc, children.get(i)._2());
      }
      return List.of(acc).iterator();
    }
  }
}
