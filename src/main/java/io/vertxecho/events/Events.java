package io.vertxecho.events;

import io.vertx.core.net.SocketAddress;

/**
 * The event-bus contract, the one place that names addresses and JSON fields: every producer and consumer uses
 * these constants. Bodies are plain {@code JsonObject}s, so consumers in any language can read them (the connection
 * events go by {@link EventCodec}: the same bytes on the wire, one object shared read-only by a node's consumers);
 * docs/events.md documents each message.
 */
public final class Events {

  /** Published, cluster-wide: one message per connection event, field {@link #EVENT} = connected | disconnected | rejected. */
  public static final String CONNECTIONS = "echo.connections";
  /** Published, node-local: an echo instance's running totals, every {@code statsIntervalMillis}, and {@link #FINAL} once when it stops. */
  public static final String INSTANCE_SUMMARY = "echo.instances";
  /**
   * Published, cluster-wide: a node summary, the shape of the {@code node} object of {@link #STATS}; every
   * {@code statsIntervalMillis}, shortly after a change, and with {@link #FINAL} = true when the node stops. It is
   * valid for {@link #VALID_MILLIS}: a peer not heard from for that long leaves the cluster view.
   */
  public static final String NODE_SUMMARY = "echo.nodes";
  /** Request/reply, node-local: {@code {"node": node summary, "cluster": {"active", "accepted", "nodes": [node summary, ...]}}}. */
  public static final String STATS = "echo.stats";
  /**
   * Published, cluster-wide, by each node with the event-bus bridge on: at most {@code bridge.connectionEventsPerSecond}
   * of its connection events a second, and once a second an event {@link #SKIPPED} with the {@link #COUNTS} of the rest.
   * Bridge clients receive it as {@link #CONNECTIONS}.
   */
  public static final String BRIDGE_CONNECTIONS = "echo.connections.bridge";
  /**
   * Published, node-local: the running config ({@code EchoConfig} JSON) each time a change is applied, validated by the
   * main verticle: receivers read it back with {@code EchoConfig.fromJson}, which touches no file.
   */
  public static final String CONFIG = "echo.config";
  /**
   * Published, node-local, no body: a stopping node's stats verticle has every final count (the echo instances have
   * drained) and has told the cluster; the HTTP endpoints stop after it.
   */
  public static final String STATS_STOPPED = "echo.stats.stopped";
  /**
   * Request/reply, node-local, no body: the TLS port's files changed; one echo instance swaps them in for all and
   * replies, or fails with the reason.
   */
  public static final String TLS_RELOAD = "echo.tls.reload";

  /**
   * Published, node-local: the node's user verticles ({@code verticles} config key) with their state, each time one is
   * deployed, undeployed or fails: {@code {"verticles": [{"name", "instances", "state", "errors", "error"?}]}}. The
   * stats keep the latest and show it in the node summary.
   */
  public static final String VERTICLES = "echo.verticles";
  /**
   * Request/reply, node-local, no body: a stopping node's echo instances have drained; the user verticles stop now and
   * the reply comes once they have. The stats ask it before they stop.
   */
  public static final String VERTICLES_STOP = "echo.verticles.stop";
  /**
   * Published, node-local, by the example user verticle {@code conf/verticles/reconnect-alerts.groovy}: one client
   * address connected more than {@code maxConnects} times within {@code windowSeconds} (counted over the cluster).
   */
  public static final String ALERTS = "echo.alerts";
  /**
   * Published, node-local, by the example user verticle {@code TopTalkers} (Kotlin) every few seconds: the client
   * addresses with the most bytes and the most connections over the last minute.
   */
  public static final String TOP_TALKERS = "echo.toptalkers";

  // user verticles (VERTICLES)
  public static final String VERTICLES_FIELD = "verticles";
  public static final String NAME = "name";
  public static final String STATE = "state";
  public static final String ERRORS = "errors";
  public static final String ERROR = "error";
  /** A user verticle's state: deployed, nothing thrown since. */
  public static final String RUNNING = "running";
  /** A user verticle's state: deployed, and it has thrown (logged once; {@link #ERRORS} counts every throw). */
  public static final String FAILED = "failed";

  // connection events (CONNECTIONS)
  public static final String CONNECTED = "connected";
  public static final String DISCONNECTED = "disconnected";
  /** The event of a connection refused before it was served, and in summaries the number of them (each also in {@link #CLOSED}). */
  public static final String REJECTED = "rejected";
  public static final String EVENT = "event";
  public static final String NODE = "node";
  public static final String INSTANCE = "instance";
  public static final String EVENT_LOOP = "eventLoop";
  public static final String CONNECTION = "connection";
  public static final String REMOTE = "remote";
  public static final String LOCAL = "local";
  public static final String TIME = "time";
  public static final String LINES = "lines";
  public static final String DURATION_MILLIS = "durationMillis";
  public static final String REASON = "reason";
  public static final String SKIPPED = "skipped";
  public static final String COUNTS = "counts";

  // summaries (INSTANCE_SUMMARY, NODE_SUMMARY) and the stats snapshot (STATS)
  public static final String ID = "id";
  public static final String ADDRESS = "address";
  public static final String ACTIVE = "active";
  public static final String ACCEPTED = "accepted";
  public static final String PEAK = "peak";
  public static final String BYTES_IN = "bytesIn";
  public static final String BYTES_OUT = "bytesOut";
  public static final String CLOSED = "closed";
  public static final String INSTANCES = "instances";
  public static final String DRAINING = "draining";
  public static final String VALID_MILLIS = "validMillis";
  /** In a node summary: how often the node publishes it ({@code statsIntervalMillis}), to tell a quiet node from a late one. */
  public static final String INTERVAL_MILLIS = "intervalMillis";
  public static final String FINAL = "final";
  public static final String CLUSTER = "cluster";
  public static final String NODES = "nodes";
  /** In the stats snapshot's {@code node} only: the remote addresses of the node's last accepted connections. */
  public static final String RECENT_CLIENTS = "recentClients";

  /**
   * An address as the contract writes it ({@link #ADDRESS}, {@link #REMOTE}, {@link #LOCAL}) and as the logs do:
   * {@code host:port}, with an IPv6 host in brackets ({@code [::1]:9999}), so the port is always after the last colon.
   */
  public static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }

  /** A socket's address as {@link #hostPort}; a Unix domain socket's is its path. */
  public static String hostPort(SocketAddress address) {
    return address == null ? "" : address.isInetSocket() ? hostPort(address.host(), address.port()) : address.path();
  }

  private Events() {
  }
}
