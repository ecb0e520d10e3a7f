package io.vertxecho.echo;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control for {@code maxConnections}: one per node, shared by every EchoVerticle instance
 * (each on its own event loop), so the limit holds across instances and across redeployments.
 */
public final class ConnectionGate {

  private final AtomicInteger open = new AtomicInteger();

  /** Takes a place if fewer than {@code limit} are taken; a limit of 0 means no limit. */
  public boolean tryAcquire(int limit) {
    while (true) {
      int current = open.get();
      if (limit > 0 && current >= limit) {
        return false;
      }
      if (open.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  public void release() {
    open.decrementAndGet();
  }
}
