package io.vertxecho.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's statistics as Prometheus series, beside Vert.x's own. They read the stats: the HTTP verticle asks the
 * stats verticle for its snapshot before each scrape and hands it over ({@link #update}); the scrape reads only the
 * copies kept here.
 * <ul>
 *   <li>{@code echo_connections_active{echo_instance, event_loop}}: open connections per echo instance</li>
 *   <li>{@code echo_connections_closed_total{reason}}: connections closed, by reason</li>
 *   <li>{@code echo_echoed_bytes_total{direction="in"|"out"}}: bytes received from and sent to clients</li>
 *   <li>{@code echo_cluster_nodes}: live nodes in this node's cluster view (1 when not clustered)</li>
 * </ul>
 * The echo instance label is not called {@code instance}: Prometheus gives that name to the scraped target.
 */
public final class StatsMetrics {

  private final MeterRegistry registry;
  private final MultiGauge activePerInstance;
  private final Map<String, AtomicLong> closedByReason = new ConcurrentHashMap<>();
  private final AtomicLong bytesIn = new AtomicLong();
  private final AtomicLong bytesOut = new AtomicLong();
  private final AtomicLong clusterNodes = new AtomicLong(1);

  private StatsMetrics(MeterRegistry registry) {
    this.registry = registry;
    if (registry == null) {
      activePerInstance = null;
      return;
    }
    activePerInstance = MultiGauge.builder("echo.connections.active")
      .description("Open connections per echo instance (event loop)")
      .register(registry);
    FunctionCounter.builder("echo.echoed.bytes", bytesIn, AtomicLong::get)
      .description("Bytes echoed, by direction: in = received from clients, out = sent to them")
      .tag("direction", "in").register(registry);
    FunctionCounter.builder("echo.echoed.bytes", bytesOut, AtomicLong::get)
      .description("Bytes echoed, by direction: in = received from clients, out = sent to them")
      .tag("direction", "out").register(registry);
    Gauge.builder("echo.cluster.nodes", clusterNodes, AtomicLong::get)
      .description("Live nodes in this node's cluster view")
      .register(registry);
  }

  /** Series in this Vert.x instance's Micrometer registry; when metrics are off, updates are ignored. */
  public static StatsMetrics register(Vertx vertx) {
    return new StatsMetrics(ConfigReloadMetrics.registryOf(vertx));
  }

  /**
   * Takes the values of a node summary (the /stats "node" object: {@code instances[{id, eventLoop, active}]},
   * {@code closed{reason: count}}, {@code bytesIn}, {@code bytesOut}) and the number of live nodes.
   */
  public void update(JsonObject node, int liveNodes) {
    if (registry == null) {
      return;
    }
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    node.getJsonArray("instances").forEach(entry -> {
      JsonObject instance = (JsonObject) entry;
      rows.add(MultiGauge.Row.of(Tags.of("echo_instance", instance.getString("id"), "event_loop", instance.getString("eventLoop")),
        instance.getLong("active", 0L)));
    });
    activePerInstance.register(rows, true);
    node.getJsonObject("closed", new JsonObject()).forEach(entry -> closedCounter(entry.getKey()).set(((Number) entry.getValue()).longValue()));
    bytesIn.set(node.getLong("bytesIn", bytesIn.get()));
    bytesOut.set(node.getLong("bytesOut", bytesOut.get()));
    clusterNodes.set(liveNodes);
  }

  private AtomicLong closedCounter(String reason) {
    return closedByReason.computeIfAbsent(reason, key -> {
      AtomicLong count = new AtomicLong();
      FunctionCounter.builder("echo.connections.closed", count, AtomicLong::get)
        .description("Connections closed, by reason")
        .tag("reason", key).register(registry);
      return count;
    });
  }
}
