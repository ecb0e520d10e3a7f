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

  private Events() {
  }
}
