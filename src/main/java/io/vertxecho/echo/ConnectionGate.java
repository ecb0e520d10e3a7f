package io.vertxecho.echo;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control for {@code maxConnections} and {@code maxConnectionsPerIp}: one per node, shared by
 * every EchoVerticle instance (each on its own event loop), so the limits hold across instances and across
 * redeployments. A {@code maxConnections} of 0 means what the open-file limit can hold ({@link FileDescriptorBudget}).
 */
public final class ConnectionGate {

  /** Why a connection was or was not let in. */
  public enum Verdict { ADMITTED, SERVER_FULL, PER_IP_LIMIT }

  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> openByAddress = new ConcurrentHashMap<>();
  private final int defaultLimit;

  /** @param defaultLimit the node-wide limit used when the config leaves {@code maxConnections} at 0 */
  public ConnectionGate(int defaultLimit) {
    this.defaultLimit = defaultLimit;
  }

  /** The node-wide limit that applies for a configured {@code maxConnections} (0 = the default). */
  public int limit(int maxConnections) {
    return maxConnections > 0 ? maxConnections : defaultLimit;
  }

  /** Takes a place for a client at {@code address} if both limits allow; a per-address limit of 0 means none. */
  public Verdict tryAcquire(String address, int maxConnections, int maxConnectionsPerIp) {
    int limit = limit(maxConnections);
    while (true) {
      int current = open.get();
      if (limit > 0 && current >= limit) {
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
