package io.vertxecho.stats;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one writer of a node's statistics. Fed only by the event bus (connection events and instance
 * summaries), it answers {@link Events#STATS} requests with a snapshot and logs each connection.
 */
public final class StatsVerticle extends VerticleBase {

  /** The seeds' per-connection lines; set this logger to OFF to silence them. */
  public static final String CONNECTION_LOGGER = "io.vertxecho.connections";

  private static final Logger connectionLog = LoggerFactory.getLogger(CONNECTION_LOGGER);

  private final String nodeId;
  private final Map<String, InstanceStats> instances = new LinkedHashMap<>();
  private final Map<String, Long> closed = new TreeMap<>();
  private long active;
  private long accepted;
  private long peak;
  private long retiredBytesIn;
  private long retiredBytesOut;
  private String address = "";

  public StatsVerticle(String nodeId) {
    this.nodeId = nodeId;
  }

  @Override
  public Future<?> start() {
    return Future.join(
      vertx.eventBus().<JsonObject>consumer(Events.CONNECTIONS, this::handleConnectionEvent).completion(),
      vertx.eventBus().<JsonObject>consumer(Events.INSTANCE_SUMMARY, this::handleSummary).completion(),
      vertx.eventBus().localConsumer(Events.STATS, request -> request.reply(snapshot())).completion());
  }

  private void handleConnectionEvent(Message<JsonObject> message) {
    JsonObject event = message.body();
    if (!nodeId.equals(event.getString(Events.NODE))) {
      return;
    }
    InstanceStats instance = instance(event);
    switch (event.getString(Events.EVENT, "")) {
      case Events.CONNECTED -> {
        accepted++;
        active++;
        peak = Math.max(peak, active);
        instance.accepted++;
        instance.active++;
        connectionLog.info("New client accepted: {} active connections", active);
      }
      case Events.DISCONNECTED -> {
        active--;
        instance.active--;
        closed.merge(event.getString(Events.REASON), 1L, Long::sum);
        connectionLog.info("Client disconnected: {} active connections", active);
      }
      case Events.REJECTED -> closed.merge(event.getString(Events.REASON), 1L, Long::sum);
      default -> {
      }
    }
  }

  private void handleSummary(Message<JsonObject> message) {
    JsonObject summary = message.body();
    if (!nodeId.equals(summary.getString(Events.NODE))) {
      return;
    }
    InstanceStats instance = instance(summary);
    address = summary.getString(Events.ADDRESS, address);
    if (summary.getBoolean(Events.FINAL, false)) {
      instances.remove(instance.id);
      retiredBytesIn += summary.getLong(Events.BYTES_IN, 0L);
      retiredBytesOut += summary.getLong(Events.BYTES_OUT, 0L);
    } else {
      instance.bytesIn = summary.getLong(Events.BYTES_IN, 0L);
      instance.bytesOut = summary.getLong(Events.BYTES_OUT, 0L);
      instance.draining = summary.getBoolean(Events.DRAINING, false);
    }
  }

  private InstanceStats instance(JsonObject event) {
    return instances.computeIfAbsent(event.getString(Events.INSTANCE),
      id -> new InstanceStats(id, event.getString(Events.EVENT_LOOP)));
  }

  private JsonObject snapshot() {
    long bytesIn = retiredBytesIn;
    long bytesOut = retiredBytesOut;
    JsonArray perInstance = new JsonArray();
    for (InstanceStats instance : instances.values()) {
      bytesIn += instance.bytesIn;
      bytesOut += instance.bytesOut;
      perInstance.add(new JsonObject()
        .put("id", instance.id)
        .put(Events.EVENT_LOOP, instance.eventLoop)
        .put(Events.ACTIVE, instance.active)
        .put(Events.ACCEPTED, instance.accepted)
        .put(Events.BYTES_IN, instance.bytesIn)
        .put(Events.BYTES_OUT, instance.bytesOut)
        .put(Events.DRAINING, instance.draining));
    }
    JsonObject node = new JsonObject()
      .put("id", nodeId)
      .put(Events.ADDRESS, address)
      .put(Events.ACTIVE, active)
      .put(Events.ACCEPTED, accepted)
      .put("peak", peak)
      .put(Events.BYTES_IN, bytesIn)
      .put(Events.BYTES_OUT, bytesOut)
      .put("closed", new JsonObject(new LinkedHashMap<>(closed)))
      .put("instances", perInstance);
    JsonObject cluster = new JsonObject()
      .put(Events.ACTIVE, active)
      .put(Events.ACCEPTED, accepted)
      .put("nodes", new JsonArray().add(new JsonObject()
        .put("id", nodeId)
        .put(Events.ADDRESS, address)
        .put(Events.ACTIVE, active)
        .put(Events.ACCEPTED, accepted)));
    return new JsonObject().put("node", node).put("cluster", cluster);
  }

  /** One EchoVerticle instance as this node has seen it. */
  private static final class InstanceStats {
    final String id;
    final String eventLoop;
    long active;
    long accepted;
    long bytesIn;
    long bytesOut;
    boolean draining;

    InstanceStats(String id, String eventLoop) {
      this.id = id;
      this.eventLoop = eventLoop;
    }
  }
}
