package io.vertxecho.cluster;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.stats.Events;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Keeps the latest summary of every live node, fed by the nodes' published summaries, pruned by membership and age. */
public final class ClusterViewVerticle extends VerticleBase {

  /** A node heard from before the cluster manager lists it (membership events are asynchronous) is kept this long. */
  private static final long JOIN_GRACE_MILLIS = 3000;

  private final Map<String, NodeEntry> nodes = new HashMap<>();
  private long staleMillis;

  @Override
  public Future<?> start() {
    int interval = EchoConfig.fromJson(config()).statsIntervalMillis();
    staleMillis = Math.max(5000, 5L * interval);
    vertx.setPeriodic(Math.min(1000, interval), id -> prune());
    return Future.join(
      vertx.eventBus().<JsonObject>consumer(Events.NODE_SUMMARY, this::handleSummary).completion(),
      vertx.eventBus().localConsumer(Events.CLUSTER_VIEW, request -> request.reply(view())).completion());
  }

  private void handleSummary(Message<JsonObject> message) {
    JsonObject summary = message.body();
    String node = summary.getString(Events.NODE);
    if (summary.getBoolean(Events.FINAL, false)) {
      nodes.remove(node);
    } else {
      long now = System.currentTimeMillis();
      NodeEntry previous = nodes.get(node);
      nodes.put(node, new NodeEntry(summary, previous == null ? now : previous.firstSeen, now));
    }
  }

  /** Drops nodes that left the cluster (Hazelcast saw them go) and nodes not heard from for a while. */
  private void prune() {
    long now = System.currentTimeMillis();
    List<String> members = vertx.isClustered() ? ((VertxInternal) vertx).clusterManager().getNodes() : null;
    nodes.entrySet().removeIf(entry -> now - entry.getValue().lastSeen > staleMillis
      || members != null && !members.contains(entry.getKey()) && now - entry.getValue().firstSeen > JOIN_GRACE_MILLIS);
  }

  private JsonObject view() {
    JsonArray live = new JsonArray();
    nodes.values().stream()
      .map(NodeEntry::summary)
      .sorted(Comparator.comparing((JsonObject summary) -> summary.getString(Events.ADDRESS, ""))
        .thenComparing(summary -> summary.getString(Events.NODE)))
      .map(ClusterViewVerticle::viewEntry)
      .forEach(live::add);
    return new JsonObject().put(Events.NODES, live);
  }

  /**
   * The stats snapshot's {@code cluster} part: the listed nodes with this node's entry replaced by a fresh one
   * (or added, before its first summary came round), and the totals over them.
   */
  public static JsonObject clusterPart(JsonArray listedNodes, JsonObject self) {
    JsonArray nodes = new JsonArray();
    long active = 0;
    long accepted = 0;
    boolean selfListed = false;
    for (Object listed : listedNodes) {
      JsonObject entry = (JsonObject) listed;
      if (self.getString("id").equals(entry.getString("id"))) {
        entry = self;
        selfListed = true;
      }
      nodes.add(entry);
      active += entry.getLong(Events.ACTIVE, 0L);
      accepted += entry.getLong(Events.ACCEPTED, 0L);
    }
    if (!selfListed) {
      nodes.add(self);
      active += self.getLong(Events.ACTIVE, 0L);
      accepted += self.getLong(Events.ACCEPTED, 0L);
    }
    return new JsonObject().put(Events.ACTIVE, active).put(Events.ACCEPTED, accepted).put(Events.NODES, nodes);
  }

  /** A published summary as the stats snapshot shows it: the node id under {@code id}, as in the node view. */
  private static JsonObject viewEntry(JsonObject summary) {
    JsonObject entry = new JsonObject().put("id", summary.getString(Events.NODE)).mergeIn(summary);
    entry.remove(Events.NODE);
    entry.remove(Events.FINAL);
    return entry;
  }

  /** A node's latest summary and when this node first and last heard from it. */
  private record NodeEntry(JsonObject summary, long firstSeen, long lastSeen) {
  }
}
