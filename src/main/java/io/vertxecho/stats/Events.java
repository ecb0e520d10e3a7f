package io.vertxecho.stats;

/**
 * The event-bus contract: addresses and JSON field names. Bodies are plain {@code JsonObject}s so that
 * consumers in any language can read them; README.md documents each message.
 */
public final class Events {

  /** Published: one message per connection event, field {@link #EVENT} = connected | disconnected | rejected. */
  public static final String CONNECTIONS = "echo.connections";
  /** Published: each EchoVerticle instance's running totals, every {@code statsIntervalMillis} and once when it stops. */
  public static final String INSTANCE_SUMMARY = "echo.instances";
  /** Request/reply: the stats snapshot of the node that answers (any body). */
  public static final String STATS = "echo.stats";
  /**
   * Published, cluster-wide: one node's summary ({@link #NODE}, {@link #ADDRESS}, {@link #ACTIVE}, {@link #ACCEPTED},
   * {@link #INSTANCES}), every {@code statsIntervalMillis}, shortly after a change, and once with {@link #FINAL} = true
   * when the node stops.
   */
  public static final String NODE_SUMMARY = "echo.nodes";
  /** Request/reply, local: this node's cluster view, {@code {"nodes": [node summary, ...]}} of every live node. */
  public static final String CLUSTER_VIEW = "echo.cluster.view";

  public static final String CONNECTED = "connected";
  public static final String DISCONNECTED = "disconnected";
  public static final String REJECTED = "rejected";

  public static final String EVENT = "event";
  public static final String NODE = "node";
  public static final String INSTANCE = "instance";
  public static final String EVENT_LOOP = "eventLoop";
  public static final String CONNECTION = "connection";
  public static final String REMOTE = "remote";
  public static final String LOCAL = "local";
  public static final String TIME = "time";
  public static final String BYTES_IN = "bytesIn";
  public static final String BYTES_OUT = "bytesOut";
  public static final String LINES = "lines";
  public static final String DURATION_MILLIS = "durationMillis";
  public static final String REASON = "reason";
  public static final String ACTIVE = "active";
  public static final String ACCEPTED = "accepted";
  public static final String ADDRESS = "address";
  public static final String DRAINING = "draining";
  public static final String FINAL = "final";
  public static final String INSTANCES = "instances";
  public static final String NODES = "nodes";

  private Events() {
  }
}
