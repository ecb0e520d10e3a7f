package io.vertxecho.echo;

import com.sun.management.UnixOperatingSystemMXBean;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * How many client connections the process's open-file limit can hold: each connection is a file
 * descriptor, and the rest of the node (HTTP, the cluster, config, logs, jars, event loops) needs some
 * too. Past this, accept() fails with "Too many open files" and no client hears why.
 */
public final class FileDescriptorBudget {

  /** Descriptors kept for everything that is not an echo connection: at least this many... */
  static final int MIN_RESERVE = 256;
  /** ...or this share of the limit, whichever is more. */
  static final int RESERVE_PERCENT = 5;

  private FileDescriptorBudget() {
  }

  /** The process's open-file limit as the JVM sees it, or -1 where it cannot tell (not a Unix JVM). */
  public static long openFileLimit() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
  }

  /** The descriptors kept back from a limit of {@code limit}. */
  public static long reserve(long limit) {
    return Math.max(MIN_RESERVE, limit * RESERVE_PERCENT / 100);
  }

  /**
   * The sockets a node's servers may hold at once under a limit of {@code limit} descriptors: the connections it holds,
   * and a quarter of the reserve for clients being refused (each holds a socket until it is told why and closed).
   * Past it the node stops accepting until sockets close; no ceiling ({@link Integer#MAX_VALUE}) when the limit is unknown.
   */
  public static int acceptCeiling(long limit) {
    return limit <= 0 ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, connections(limit) + reserve(limit) / 4);
  }

  /** The connections a limit of {@code limit} descriptors can hold (at least 1), or 0 (no limit) when it is unknown. */
  public static int connections(long limit) {
    if (limit <= 0) {
      return 0;
    }
    return (int) Math.min(10_000_000, Math.max(1, limit - reserve(limit)));
  }
}
