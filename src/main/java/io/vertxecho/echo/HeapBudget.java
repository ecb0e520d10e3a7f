package io.vertxecho.echo;

import io.vertxecho.config.EchoConfig;

import static io.vertxecho.config.EchoConfig.MAX_LINE_BYTES;
import static io.vertxecho.config.EchoConfig.MODE;

/**
 * How many client connections the heap can hold when every one holds all it may. A client that sends without
 * reading leaves its echoes in memory until reading stops ({@link EchoConnection#UNWRITTEN_HIGH}, plus the write
 * that crossed it, one read of up to 64 KiB); in line mode an unfinished line adds up to {@code maxLineBytes}.
 * Past this, such clients (one hostile host is enough) would exhaust the heap and wedge the node.
 */
public final class HeapBudget {

  /** The share of the heap echo connections may fill; the rest is for the node (HTTP, stats, the cluster). */
  public static final int PERCENT = 60;
  /** Echoed bytes one connection may hold before reading stops, plus the read in flight. */
  static final long UNWRITTEN = EchoConnection.UNWRITTEN_HIGH + 64 * 1024;

  private HeapBudget() {
  }

  /** The most one connection can hold under {@code config}. */
  public static long perConnection(EchoConfig config) {
    return UNWRITTEN + (config.get(MODE) == EchoConfig.Mode.LINE ? config.get(MAX_LINE_BYTES) : 0);
  }

  /** The connections a heap of {@code maxHeap} bytes can hold under {@code config} (at least 1). */
  public static int connections(long maxHeap, EchoConfig config) {
    return (int) Math.min(10_000_000, Math.max(1, maxHeap * PERCENT / 100 / perConnection(config)));
  }
}
