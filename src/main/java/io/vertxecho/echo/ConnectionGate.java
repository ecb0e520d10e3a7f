package io.vertxecho.echo;

import io.vertxecho.config.EchoConfig;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static io.vertxecho.config.EchoConfig.MAX_CONNECTIONS;
import static io.vertxecho.config.EchoConfig.MAX_CONNECTIONS_PER_IP;

/**
 * Admission control for {@code maxConnections} and {@code maxConnectionsPerIp}: one per node, shared by
 * every EchoVerticle instance (each on its own event loop), so the limits hold across instances and across
 * redeployments. A {@code maxConnections} of 0 means what both the open-file limit ({@link FileDescriptorBudget}) and
 * the heap ({@link HeapBudget}) can hold.
 */
public final class ConnectionGate {

  /** Why a connection was or was not let in. */
  public enum Verdict { ADMITTED, SERVER_FULL, PER_IP_LIMIT }

  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> openByAddress = new ConcurrentHashMap<>();
  private final int openFileConnections;
  private final long maxHeap;

  /**
   * @param openFileConnections what the open-file limit can hold, 0 when unknown
   * @param maxHeap             the JVM's maximum heap in bytes
   */
  public ConnectionGate(int openFileConnections, long maxHeap) {
    this.openFileConnections = openFileConnections;
    this.maxHeap = maxHeap;
  }

  /** The node-wide limit under {@code config}: its {@code maxConnections}, or when 0 the least the open files and the heap hold. */
  public int limit(EchoConfig config) {
    if (config.get(MAX_CONNECTIONS) > 0) {
      return config.get(MAX_CONNECTIONS);
    }
    int heap = HeapBudget.connections(maxHeap, config);
    return openFileConnections > 0 ? Math.min(openFileConnections, heap) : heap;
  }

  /** Takes a place for a client at {@code address} if both limits of {@code config} allow. */
  public Verdict tryAcquire(String address, EchoConfig config) {
    int limit = limit(config);
    int maxConnectionsPerIp = config.get(MAX_CONNECTIONS_PER_IP);
    while (true) {
      int current = open.get();
      if (current >= limit) {
        return Verdict.SERVER_FULL;
      }
      if (open.compareAndSet(current, current + 1)) {
        break;
      }
    }
    boolean[] admitted = {true};
    openByAddress.compute(address, (key, count) -> {
      int current = count == null ? 0 : count;
      if (maxConnectionsPerIp > 0 && current >= maxConnectionsPerIp) {
        admitted[0] = false;
        return count;
      }
      return current + 1;
    });
    if (!admitted[0]) {
      open.decrementAndGet();
      return Verdict.PER_IP_LIMIT;
    }
    return Verdict.ADMITTED;
  }

  /** Gives back the place of a client at {@code address} that was admitted. */
  public void release(String address) {
    openByAddress.computeIfPresent(address, (key, count) -> count == 1 ? null : count - 1);
    open.decrementAndGet();
  }
}
