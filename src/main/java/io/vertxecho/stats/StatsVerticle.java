package io.vertxecho.stats;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.events.Events;
import io.vertxecho.internal.VertxInternals;
import io.vertxecho.text.Plural;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.vertxecho.config.EchoConfig.STATS_INTERVAL_MILLIS;

/**
 * The one writer of a node's statistics and of its view of the cluster. Fed only by the event bus (this node's
 * connection events and instance summaries, every node's published summary), it answers {@link Events#STATS}
 * from its own state (the metrics read it there), logs each connection, and publishes this node's summary for the
 * other nodes. When the node stops it waits until every echo instance has drained and said its last word (each does
 * within the grace period), then for the user verticles to stop ({@link Events#VERTICLES_STOP}), then publishes
 * {@link Events#STATS_STOPPED}.
 */
public final class StatsVerticle extends VerticleBase {

  /** The seeds' per-connection lines; set this logger to OFF to silence them. */
  public static final String CONNECTION_LOGGER = "io.vertxecho.connections";

  private static final Logger connectionLog = LoggerFactory.getLogger(CONNECTION_LOGGER);
  private static final Logger log = LoggerFactory.getLogger(StatsVerticle.class);
  /** A change is published after this delay, so that a burst of connections costs one message. */
  private static final long CHANGE_PUBLISH_DELAY_MILLIS = 100;
  private static final int DEPARTED_REMEMBERED = 1000;
  /** How long a cluster member may go without a summary arriving before the log says so. */
  private static final long UNHEARD_MILLIS = 15_000;
  /** How long the user verticles may take to stop once the echo instances have drained. */
  private static final DeliveryOptions USER_VERTICLES_STOP = new DeliveryOptions().setLocalOnly(true).setSendTimeout(30_000);

  private final String nodeId;
  private final ClusterManager clusterManager;
  private final Map<String, InstanceStats> instances = new LinkedHashMap<>();
  /** Echo instances that serve (each summary says so) and have not said their last word: a stop waits for them. */
  private final Set<String> serving = new HashSet<>();
  private final Map<String, Long> closed = new TreeMap<>();
  private final RecentClients recentClients = new RecentClients();
  private final Map<String, Peer> peers = new HashMap<>();
  private final Set<String> departed = new LinkedHashSet<>();
  /** Cluster members no summary has come from since they joined or their last one expired, and since when ({@link System#nanoTime()}). */
  private final Map<String, Long> unheard = new HashMap<>();
  private final Set<String> reportedUnheard = new HashSet<>();
  /** Each peer's echo address, from its summaries, to name it when it goes. */
  private final Map<String, String> peerAddresses = new HashMap<>();
  /** Peers whose summary said they are stopping: their departure is a leave, not a loss. */
  private final Set<String> stopping = new HashSet<>();
  private EchoConfig config;
  private MessageConsumer<JsonObject> peerSummaries;
  private long publishTimer;
  private long active;
  private long accepted;
  private long rejected;
  private long peak;
  private long retiredBytesIn;
  private long retiredBytesOut;
  private String address = "";
  private boolean draining;
  private boolean changePublishPending;
  private final Promise<Void> instancesGone = Promise.promise();
  /** The node's user verticles and their state, as {@link Events#VERTICLES} last said. */
  private JsonArray verticles = new JsonArray();

  /** @param clusterManager the cluster this node joined, or null when it runs alone */
  public StatsVerticle(EchoConfig config, String nodeId, ClusterManager clusterManager) {
    this.config = config;
    this.nodeId = nodeId;
    this.clusterManager = clusterManager;
  }

  @Override
  public Future<?> start() {
    publishTimer = vertx.setPeriodic(config.get(STATS_INTERVAL_MILLIS), id -> publishSummary(false));
    vertx.setPeriodic(1000, id -> checkPeers());
    if (clusterManager != null) {
      clusterManager.nodeListener(new PeerDepartures());
      clusterManager.getNodes().forEach(this::memberJoined);
    }
    peerSummaries = peerSummaries();
    // Node-local: this node counts only its own connections, so other nodes' events need not travel here.
    return Future.join(
      vertx.eventBus().<JsonObject>localConsumer(Events.CONNECTIONS, this::handleConnectionEvent).completion(),
      vertx.eventBus().<JsonObject>localConsumer(Events.INSTANCE_SUMMARY, this::handleInstanceSummary).completion(),
      vertx.eventBus().<JsonObject>localConsumer(Events.CONFIG, this::handleConfig).completion(),
      vertx.eventBus().localConsumer(Events.STATS, request -> request.reply(snapshot())).completion(),
      vertx.eventBus().<JsonObject>localConsumer(Events.VERTICLES, table -> verticles = table.body().getJsonArray(Events.VERTICLES_FIELD)).completion(),
      peerSummaries.completion())
      .onSuccess(registered -> publishSummary(false));
  }

  /**
   * The node is stopping: it says so at once, keeps counting while the echo instances drain (they stop alongside, each
   * within the grace period, and say their last word), then tells the other nodes it has left, rather than letting
   * them age it out, and the HTTP endpoints that every count is in.
   */
  @Override
  public Future<?> stop() {
    Future<Void> peersIgnored = peerSummaries.unregister();
    draining = true;
    publishSummary(false);
    if (serving.isEmpty()) {
      instancesGone.tryComplete();
    }
    return Future.all(instancesGone.future(), peersIgnored)
      .transform(drained -> stopUserVerticles())
      .onComplete(drained -> {
        if (clusterManager != null) {
          clusterManager.nodeListener(null);
        }
        publishSummary(true);
        log.debug("Stats stopped: {} connections accepted, closed by reason {}", accepted, closed);
        vertx.eventBus().publish(Events.STATS_STOPPED, null);
      });
  }

  /**
   * The echo instances have drained: the node's user verticles stop now (they may have been listening to the drain's
   * connection events), and the stats wait for them. A node without them answers at once; a verticle that takes over
   * the send timeout to stop is left to Vert.x.
   */
  private Future<Void> stopUserVerticles() {
    return vertx.eventBus().request(Events.VERTICLES_STOP, null, USER_VERTICLES_STOP)
      .<Void>mapEmpty()
      .recover(failure -> {
        if (!(failure instanceof ReplyException reply) || reply.failureType() != ReplyFailure.NO_HANDLERS) {
          log.warn("User verticles did not stop in time: {}", failure.getMessage());
        }
        return Future.succeededFuture();
      });
  }

  private void handleConnectionEvent(Message<JsonObject> message) {
    JsonObject event = message.body();
    InstanceStats instance = instance(event);
    switch (event.getString(Events.EVENT, "")) {
      case Events.CONNECTED -> {
        accepted++;
        active++;
        peak = Math.max(peak, active);
        instance.accepted++;
        instance.active++;
        recentClients.accepted(event);
        summaryChanged();
        if (connectionLog.isInfoEnabled()) {
          connectionLog.info("New client accepted: {} active {}", active, active == 1 ? "connection" : "connections");
        }
      }
      case Events.DISCONNECTED -> {
        active--;
        instance.active--;
        closed.merge(event.getString(Events.REASON), 1L, Long::sum);
        summaryChanged();
        if (connectionLog.isInfoEnabled()) {
          connectionLog.info("Client disconnected: {} active {}", active, active == 1 ? "connection" : "connections");
        }
      }
      case Events.REJECTED -> {
        rejected++;
        closed.merge(event.getString(Events.REASON), 1L, Long::sum);
        summaryChanged();
      }
      default -> {
      }
    }
  }

  private void handleInstanceSummary(Message<JsonObject> message) {
    JsonObject summary = message.body();
    InstanceStats instance = instance(summary);
    address = summary.getString(Events.ADDRESS, address);
    if (summary.getBoolean(Events.FINAL, false)) {
      instances.remove(instance.id);
      serving.remove(instance.id);
      retiredBytesIn += summary.getLong(Events.BYTES_IN, 0L);
      retiredBytesOut += summary.getLong(Events.BYTES_OUT, 0L);
      if (draining && serving.isEmpty()) {
        instancesGone.tryComplete();
      }
    } else {
      serving.add(instance.id);
      instance.bytesIn = summary.getLong(Events.BYTES_IN, 0L);
      instance.bytesOut = summary.getLong(Events.BYTES_OUT, 0L);
      instance.draining = summary.getBoolean(Events.DRAINING, false);
    }
  }

  /** A new {@code statsIntervalMillis} applies at once, and the peers learn the new validity with the next summary. */
  private void handleConfig(Message<JsonObject> message) {
    EchoConfig previous = config;
    config = EchoConfig.fromJson(message.body());
    if (!config.get(STATS_INTERVAL_MILLIS).equals(previous.get(STATS_INTERVAL_MILLIS))) {
      vertx.cancelTimer(publishTimer);
      publishTimer = vertx.setPeriodic(config.get(STATS_INTERVAL_MILLIS), id -> publishSummary(false));
      publishSummary(false);
    }
  }

  private void handlePeerSummary(Message<JsonObject> message) {
    JsonObject summary = message.body();
    String id = summary.getString(Events.ID);
    if (nodeId.equals(id) || departed.contains(id)) {
      return;
    }
    if (unheard.remove(id) != null && reportedUnheard.remove(id)) {
      log.info("Summaries from cluster member {} arrive now", id);
    }
    peerAddresses.put(id, summary.getString(Events.ADDRESS, ""));
    if (summary.getBoolean(Events.DRAINING, false) || summary.getBoolean(Events.FINAL, false)) {
      stopping.add(id);
    }
    if (summary.getBoolean(Events.FINAL, false)) {
      peerDeparted(id);
    } else {
      long validNanos = summary.getLong(Events.VALID_MILLIS, 5000L) * 1_000_000;
      peers.put(id, new Peer(summary, System.nanoTime() + validNanos));
    }
  }

  /**
   * A peer that stopped publishing (a vanished host, a lost network) leaves when its last summary expires; Hazelcast
   * says soon after whether it left. A member Hazelcast lists that sends no summary for {@link #UNHEARD_MILLIS} (none
   * since it joined, or none since its last one expired) is reported once, and this node subscribes to the summaries
   * again: see {@link #resubscribe()}.
   */
  private void checkPeers() {
    long now = System.nanoTime();
    peers.entrySet().removeIf(peer -> {
      boolean expired = now - peer.getValue().expiresAt > 0;
      if (expired) {
        unheard.putIfAbsent(peer.getKey(), now);
      }
      return expired;
    });
    boolean report = false;
    for (Map.Entry<String, Long> member : unheard.entrySet()) {
      long millis = (now - member.getValue()) / 1_000_000;
      if (millis >= UNHEARD_MILLIS && reportedUnheard.add(member.getKey())) {
        report = true;
        log.warn("Cluster member {} is in the cluster and no summary from it has arrived for {} s: the event bus does not "
          + "carry its messages to this node (its event-bus port must be reachable, with cluster.tls.* the cluster's "
          + "certificate), or it is not a vertx-echo node. Subscribing again, in case it does not know this node "
          + "subscribes", member.getKey(), millis / 1000);
      }
    }
    if (report && !draining) {
      resubscribe();
    }
  }

  /**
   * Registers a new consumer of the peers' summaries, then drops the old one. A peer publishes to the nodes its
   * Vert.x believes subscribe, a list it caches per address and updates only from the cluster manager's registration
   * events (Hazelcast delivers them fire-and-forget); a lost event, or this node's subscription removed by a peer that
   * took it for dead, leaves this node out for good. A new registration is a new event on every node.
   */
  private void resubscribe() {
    MessageConsumer<JsonObject> previous = peerSummaries;
    peerSummaries = peerSummaries();
    peerSummaries.completion()
      .compose(registered -> previous.unregister())
      .onFailure(failure -> log.warn("Subscribing again to the cluster's summaries failed: {}", failure.toString()));
  }

  /** A consumer of every node's summary; the summaries still on their way when it unregisters are dropped in silence. */
  private MessageConsumer<JsonObject> peerSummaries() {
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Events.NODE_SUMMARY, this::handlePeerSummary);
    VertxInternals.discardQuietly(consumer);
    return consumer;
  }

  /**
   * A member Hazelcast lists: watched for until its first summary. A member cut off by a network partition keeps its
   * node id, so when the partition heals it joins again under the id it departed with: it is departed no more.
   */
  private void memberJoined(String id) {
    departed.remove(id);
    if (!nodeId.equals(id) && !peers.containsKey(id)) {
      unheard.putIfAbsent(id, System.nanoTime());
    }
  }

  /**
   * Hazelcast no longer lists the member: one line, INFO for a peer that said it was stopping (a draining or final
   * summary, sent before it leaves the cluster), WARN for one that went without a word (killed, crashed, or no
   * heartbeat from it: a lost network).
   */
  private void memberLeft(String id) {
    String address = peerAddresses.remove(id);
    String name = address == null || address.isEmpty() ? "node " + id : address + " (node " + id + ")";
    String members = Plural.of(clusterManager.getNodes().size(), "member");
    if (stopping.remove(id)) {
      log.info("Cluster member left: {}, {}", name, members);
    } else {
      log.warn("Cluster member lost: {}, {}: it went without stopping (killed, crashed, or its heartbeats stopped "
        + "arriving)", name, members);
    }
    peerDeparted(id);
  }

  /** Forgets a peer that left; a summary of it still in flight must not bring it back, unless it joins again. */
  private void peerDeparted(String id) {
    peers.remove(id);
    unheard.remove(id);
    reportedUnheard.remove(id);
    departed.add(id);
    if (departed.size() > DEPARTED_REMEMBERED) {
      departed.remove(departed.iterator().next());
    }
  }

  private void summaryChanged() {
    if (!changePublishPending) {
      changePublishPending = true;
      vertx.setTimer(CHANGE_PUBLISH_DELAY_MILLIS, id -> {
        changePublishPending = false;
        publishSummary(false);
      });
    }
  }

  private void publishSummary(boolean last) {
    JsonObject summary = summary();
    vertx.eventBus().publish(Events.NODE_SUMMARY, summary.put(Events.FINAL, last));
  }

  /** This node as every node's cluster view shows it, and as {@code node} in the stats snapshot. */
  private JsonObject summary() {
    long bytesIn = retiredBytesIn;
    long bytesOut = retiredBytesOut;
    JsonArray perInstance = new JsonArray();
    for (InstanceStats instance : instances.values()) {
      bytesIn += instance.bytesIn;
      bytesOut += instance.bytesOut;
      perInstance.add(instance.toJson());
    }
    return new JsonObject()
      .put(Events.ID, nodeId)
      .put(Events.ADDRESS, advertisedAddress())
      .put(Events.ACTIVE, active)
      .put(Events.ACCEPTED, accepted)
      .put(Events.REJECTED, rejected)
      .put(Events.PEAK, peak)
      .put(Events.BYTES_IN, bytesIn)
      .put(Events.BYTES_OUT, bytesOut)
      .put(Events.CLOSED, new JsonObject(new LinkedHashMap<>(closed)))
      .put(Events.INSTANCES, perInstance)
      .put(Events.VERTICLES_FIELD, verticles.copy())
      .put(Events.DRAINING, draining)
      .put(Events.INTERVAL_MILLIS, config.get(STATS_INTERVAL_MILLIS))
      .put(Events.VALID_MILLIS, Math.max(5000L, 5L * config.get(STATS_INTERVAL_MILLIS)))
      .put(Events.FINAL, false);
  }

  /** The node view, and the cluster view: every live node's latest summary (this node's fresh), with totals. */
  private JsonObject snapshot() {
    JsonObject self = summary();
    List<JsonObject> nodes = new ArrayList<>();
    nodes.add(self);
    peers.values().forEach(peer -> nodes.add(peer.summary));
    nodes.sort(Comparator.comparing((JsonObject node) -> node.getString(Events.ADDRESS, ""))
      .thenComparing(node -> node.getString(Events.ID)));
    long clusterActive = 0;
    long clusterAccepted = 0;
    long clusterRejected = 0;
    for (JsonObject node : nodes) {
      clusterActive += node.getLong(Events.ACTIVE, 0L);
      clusterAccepted += node.getLong(Events.ACCEPTED, 0L);
      clusterRejected += node.getLong(Events.REJECTED, 0L);
    }
    JsonObject cluster = new JsonObject()
      .put(Events.ACTIVE, clusterActive)
      .put(Events.ACCEPTED, clusterAccepted)
      .put(Events.REJECTED, clusterRejected)
      .put(Events.NODES, new JsonArray(new ArrayList<>(nodes)));
    JsonObject node = self.copy().put(Events.RECENT_CLIENTS, recentClients.toJson());
    return new JsonObject().put(Events.NODE, node).put(Events.CLUSTER, cluster);
  }

  /** The echo address with a wildcard host replaced by the host the cluster knows this node by. */
  private String advertisedAddress() {
    int colon = address.lastIndexOf(':');
    String host = colon < 0 ? "" : address.substring(0, colon);
    if (clusterManager == null || !(host.equals("0.0.0.0") || host.equals("[::]"))) {
      return address;
    }
    NodeInfo eventBusAddress = clusterManager.getNodeInfo();
    return eventBusAddress == null ? address
      : Events.hostPort(eventBusAddress.host(), Integer.parseInt(address.substring(colon + 1)));
  }

  private InstanceStats instance(JsonObject event) {
    return instances.computeIfAbsent(event.getString(Events.INSTANCE),
      id -> new InstanceStats(id, event.getString(Events.EVENT_LOOP)));
  }

  /** Hazelcast's membership events, on its threads: a departed node leaves the view at once, on this verticle's context. */
  private final class PeerDepartures implements NodeListener {

    @Override
    public void nodeAdded(String id) {
      // It shows up in the view with its first summary; until then it is watched for.
      context.runOnContext(v -> memberJoined(id));
    }

    @Override
    public void nodeLeft(String id) {
      context.runOnContext(v -> memberLeft(id));
    }
  }

  /** A peer's latest summary and when it stops being valid ({@link System#nanoTime()}). */
  private record Peer(JsonObject summary, long expiresAt) {
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

    JsonObject toJson() {
      return new JsonObject()
        .put(Events.ID, id)
        .put(Events.EVENT_LOOP, eventLoop)
        .put(Events.ACTIVE, active)
        .put(Events.ACCEPTED, accepted)
        .put(Events.BYTES_IN, bytesIn)
        .put(Events.BYTES_OUT, bytesOut)
        .put(Events.DRAINING, draining);
    }
  }
}
