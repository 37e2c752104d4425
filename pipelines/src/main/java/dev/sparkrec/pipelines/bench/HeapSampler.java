package dev.sparkrec.pipelines.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The largest heap in use, from the collectors' notifications (the heap pools just before each collection, which
 * is where garbage peaks) and from samples on a daemon thread every {@value #SAMPLE_MS} ms (between collections),
 * and the largest heap in use right after a collection. Only the heap's pools count: not Metaspace or the code
 * cache, which the notifications also report.
 */
public final class HeapSampler {

  /** Milliseconds between the sampling thread's readings of the heap. */
  public static final long SAMPLE_MS = 20;

  private static final Set<String> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(pool -> pool.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName)
      .collect(Collectors.toUnmodifiableSet());
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final AtomicLong peak = new AtomicLong();
  private volatile boolean running;
  private Thread thread;
  private long baseline;
  private volatile long epochsPeak;
  private volatile long epochsPeakAfterGc;
  private volatile long epochsLive;

  private final AtomicLong peakAfterGc = new AtomicLong();
  private final NotificationListener afterGc = (notification, handback) -> {
    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
      GcInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo();
      peak.accumulateAndGet(heapUsed(info.getMemoryUsageBeforeGc()), Math::max);
      peakAfterGc.accumulateAndGet(heapUsed(info.getMemoryUsageAfterGc()), Math::max);
    }
  };

  /** The bytes in use in the heap's pools of a collection's report. */
  private static long heapUsed(Map<String, MemoryUsage> pools) {
    long used = 0;
    for (Map.Entry<String, MemoryUsage> pool : pools.entrySet()) {
      used += HEAP_POOLS.contains(pool.getKey()) ? pool.getValue().getUsed() : 0;
    }
    return used;
  }

  public void start() {
    settle();
    peakAfterGc.set(memory.getHeapMemoryUsage().getUsed());
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc).addNotificationListener(afterGc, null, null);
    }
    baseline = memory.getHeapMemoryUsage().getUsed();
    peak.set(baseline);
    running = true;
    thread = new Thread(() -> {
      while (running) {
        peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        try {
          Thread.sleep(SAMPLE_MS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "trainer-scale heap sampler");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Collects garbage three times, a little apart: Spark's cleaner frees what collected objects held (an earlier
   * fit's broadcasts and cached blocks) on its own thread after a collection, so one collection leaves them counted.
   */
  private static void settle() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    System.gc();
  }

  public void stop() {
    running = false;
    if (thread != null) {
      thread.interrupt();
    }
    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      try {
        ((NotificationEmitter) gc).removeNotificationListener(afterGc);
      } catch (ListenerNotFoundException e) {
        // not registered on this collector
      }
    }
  }

  /**
   * Records the peaks so far as those of the training epochs (before the trainer builds the result), then the heap
   * the driver holds at that point: in use after a full collection.
   */
  public void markEpochsEnd() {
    epochsPeak = peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
    epochsPeakAfterGc = peakAfterGc.get();
    System.gc();
    epochsLive = memory.getHeapMemoryUsage().getUsed();
  }

  public long epochsLive() {
    return epochsLive;
  }

  public long epochsPeak() {
    return epochsPeak;
  }

  public long epochsPeakAfterGc() {
    return epochsPeakAfterGc;
  }

  public long peakAfterGc() {
    return peakAfterGc.get();
  }

  public long peak() {
    return peak.get();
  }

  public long baseline() {
    return baseline;
  }
}
