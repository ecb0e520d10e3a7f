package io.vertxecho.stats;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertxecho.cluster.ClusterViewVerticle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one writer of a node's statistics. Fed only by the event bus (connection events and instance
 * summaries), it answers {@link Events#STATS} requests with a snapshot, logs each connection and
 * publishes the node's summary cluster-wide for every node's cluster view.
 */
public final class StatsVerticle extends VerticleBase {

  /** The seeds' per-connection lines; set this logger to OFF to silence them. */
  public static final String CONNECTION_LOGGER = "io.vertxecho.connections";

  private static final Logger connectionLog = LoggerFactory.getLogger(CONNECTION_LOGGER);
  private static final DeliveryOptions ASK_LOCAL = new DeliveryOptions().setSendTimeout(1000).setLocalOnly(true);
  /** A change is published after this delay, so that a burst of connections costs one message. */
  private static final long CHANGE_PUBLISH_DELAY_MILLIS = 100;

  private final String nodeId;
  private final Map<String, InstanceStats> instances = new LinkedHashMap<>();
  private final Map<String, Long> closed = new TreeMap<>();
  private final RecentClients recentClients = new RecentClients();
  private long active;
  private long accepted;
  private long peak;
  private long retiredBytesIn;
  private long retiredBytesOut;
  private String address = "";
  private boolean changePublishPending;

  public StatsVerticle(String nodeId) {
    this.nodeId = nodeId;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(config().getInteger("statsIntervalMillis", 1000), id -> publishNodeSummary(false));
    // Node-local: this node counts only its own connections, so other nodes' events need not travel here.
    return Future.join(
      vertx.eventBus().<JsonObject>localConsumer(Events.CONNECTIONS, this::handleConnectionEvent).completion(),
      vertx.eventBus().<JsonObject>localConsumer(Events.INSTANCE_SUMMARY, this::handleSummary).completion(),
      vertx.eventBus().localConsumer(Events.STATS, this::handleStatsRequest).completion())
      .onSuccess(registered -> publishNodeSummary(false));
  }

  /** Tells the other nodes at once that this node is leaving, rather than letting them age it out. */
  @Override
  public Future<?> stop() {
    publishNodeSummary(true);
    return Future.succeededFuture();
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
        recentClients.accepted(event);
        nodeSummaryChanged();
        connectionLog.info("New client accepted: {} active connections", active);
      }
      case Events.DISCONNECTED -> {
        active--;
        instance.active--;
        closed.merge(event.getString(Events.REASON), 1L, Long::sum);
        nodeSummaryChanged();
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

  private void handleStatsRequest(Message<Object> request) {
    vertx.eventBus().<JsonObject>request(Events.CLUSTER_VIEW, null, ASK_LOCAL)
      .map(reply -> reply.body().getJsonArray(Events.NODES))
      .otherwise(new JsonArray())
      .onSuccess(clusterNodes -> request.reply(snapshot(clusterNodes)));
  }

  private void nodeSummaryChanged() {
    if (!changePublishPending) {
      changePublishPending = true;
      vertx.setTimer(CHANGE_PUBLISH_DELAY_MILLIS, id -> {
        changePublishPending = false;
        publishNodeSummary(false);
      });
    }
  }

  private void publishNodeSummary(boolean last) {
    JsonObject summary = clusterEntry();
    summary.put(Events.NODE, summary.remove("id"));
    vertx.eventBus().publish(Events.NODE_SUMMARY, summary.put(Events.FINAL, last));
  }

  /** This node as the cluster view shows it. */
  private JsonObject clusterEntry() {
    JsonArray perInstance = new JsonArray();
    instances.values().forEach(instance -> perInstance.add(new JsonObject()
      .put("id", instance.id)
      .put(Events.EVENT_LOOP, instance.eventLoop)
      .put(Events.ACTIVE, instance.active)
      .put(Events.ACCEPTED, instance.accepted)));
    return new JsonObject()
      .put("id", nodeId)
      .put(Events.ADDRESS, advertisedAddress())
      .put(Events.ACTIVE, active)
      .put(Events.ACCEPTED, accepted)
      .put(Events.INSTANCES, perInstance);
  }

  /** The echo address with a wildcard host replaced by the host the cluster knows this node by. */
  private String advertisedAddress() {
    int colon = address.lastIndexOf(':');
    String host = colon < 0 ? "" : address.substring(0, colon);
    if (!vertx.isClustered() || !(host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]"))) {
      return address;
    }
    NodeInfo eventBusAddress = ((VertxInternal) vertx).clusterManager().getNodeInfo();
    return eventBusAddress == null ? address : eventBusAddress.host() + address.substring(colon);
  }

  private InstanceStats instance(JsonObject event) {
    return instances.computeIfAbsent(event.getString(Events.INSTANCE),
      id -> new InstanceStats(id, event.getString(Events.EVENT_LOOP)));
  }

  /** The node view, and the cluster view with this node's entry fresh from the node view. */
  private JsonObject snapshot(JsonArray clusterNodes) {
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
      .put("instances", perInstance)
      .put("recentClients", recentClients.toJson());
    return new JsonObject().put("node", node).put("cluster", ClusterViewVerticle.clusterPart(clusterNodes, clusterEntry()));
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
