package dev.sparkrec.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparkrec.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** Children are merged in index order whatever order their tasks finish in. */
class FixedOrderTreeAggregateTest {

  private final JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());

  /** One string per partition, "i"; later partitions finish first. */
  private JavaRDD<String> labels(int partitions) {
    List<Integer> indices = new ArrayList<>();
    for (int i = 0; i < partitions; i++) {
      indices.add(i);
    }
    return jsc.parallelize(indices, partitions).map(i -> {
      Thread.sleep(10L * (partitions - i));
      return String.valueOf(i);
    });
  }

  @Test
  void concatenationKeepsPartitionOrderAtEveryFanIn() {
    // String concatenation is not commutative: any other merge order gives another string.
    assertEquals("0123456", FixedOrderTreeAggregate.aggregate(labels(7), (a, b) -> a + b, 3));
    assertEquals("0123456", FixedOrderTreeAggregate.aggregate(labels(7), (a, b) -> a + b, 2));
    assertEquals("012", FixedOrderTreeAggregate.aggregate(labels(3), (a, b) -> a + b, 3));
    assertEquals("0", FixedOrderTreeAggregate.aggregate(labels(1), (a, b) -> a + b, 2));
  }

  @Test
  void theTreeIsGroupsOfFanInChildrenMergedLeftToRight() {
    // fan-in 2 over 5 children: ((0 1) (2 3) (4)) → (((0 1) (2 3)) (4)) on the second level, then the driver.
    String tree = FixedOrderTreeAggregate.aggregate(labels(5), (a, b) -> "(" + a + " " + b + ")", 2);
    assertEquals("(((0 1) (2 3)) 4)", tree);
    // fan-in 3 over 7 children: groups (0 1 2) (3 4 5) (6), merged on the driver.
    String three = FixedOrderTreeAggregate.aggregate(labels(7), (a, b) -> "(" + a + " " + b + ")", 3);
    assertEquals("((((0 1) 2) ((3 4) 5)) 6)", three);
  }

  @Test
  void theLocalFoldBuildsTheSameTreeAndSkipsAbsentChildren() {
    for (int partitions : new int[] {1, 4, 5, 7, 10}) {
      for (int fanIn : new int[] {2, 3}) {
        List<String> leaves = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
          leaves.add(String.valueOf(i));
        }
        assertEquals(FixedOrderTreeAggregate.aggregate(labels(partitions), (a, b) -> "(" + a + " " + b + ")", fanIn),
            FixedOrderTreeAggregate.foldInTreeOrder(leaves, (a, b) -> "(" + a + " " + b + ")", fanIn),
            partitions + " children, fan-in " + fanIn);
      }
    }
    // An absent child is the identity, as an empty contribution is to WeightedSums.merge.
    List<String> gaps = java.util.Arrays.asList("0", null, "2", null, null, null, "6");
    assertEquals("((0 2) 6)", FixedOrderTreeAggregate.foldInTreeOrder(gaps, (a, b) -> "(" + a + " " + b + ")", 3));
    org.junit.jupiter.api.Assertions.assertNull(
        FixedOrderTreeAggregate.foldInTreeOrder(java.util.Arrays.<String>asList(null, null), (a, b) -> a, 2));
  }

  @Test
  void fanInIsTheCeilingOfTheSquareRootAndAtLeastTwo() {
    assertEquals(2, FixedOrderTreeAggregate.fanIn(1));
    assertEquals(2, FixedOrderTreeAggregate.fanIn(4));
    assertEquals(3, FixedOrderTreeAggregate.fanIn(5));
    assertEquals(10, FixedOrderTreeAggregate.fanIn(100));
    assertEquals(11, FixedOrderTreeAggregate.fanIn(101));
  }
}
