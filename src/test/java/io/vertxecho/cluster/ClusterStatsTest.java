package io.vertxecho.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.AtomicFile;
import io.vertxecho.LogCapture;
import io.vertxecho.cluster.ClusterNodes.Node;
import io.vertxecho.config.ConfigLoader;
import io.vertxecho.events.Events;
import io.vertxecho.stats.StatsVerticle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static io.vertxecho.cluster.ClusterNodes.clusterEntry;
import static org.awaitility.Awaitility.await;
import static io.vertxecho.cluster.ClusterNodes.nodeCount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Clustered nodes in one JVM: connection events cross nodes, and every node's /stats shows the whole cluster. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterStatsTest {

  private ClusterNodes cluster;

  @BeforeEach
  void createCluster(Vertx client) {
    cluster = new ClusterNodes(client);
  }

  @AfterEach
  void closeCluster() throws Exception {
    cluster.close();
  }

  @Test
  @DisplayName("A connection accepted on one node is published to consumers on the other node")
  void connectionEventsCrossNodes() throws Exception {
    Node accepting = cluster.start();
    Node listening = cluster.start();
    Promise<JsonObject> seen = Promise.promise();
    listening.vertx().eventBus().<JsonObject>consumer(Events.CONNECTIONS, event -> {
      if (Events.CONNECTED.equals(event.body().getString(Events.EVENT))) {
        seen.tryComplete(event.body());
      }
    }).completion().await(10, TimeUnit.SECONDS);

    // A new consumer reaches the other nodes' routing tables asynchronously, and a publish before that reaches
    // nobody: connect until one event crosses.
    await("a connected event from the other node").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
      .until(() -> {
        cluster.connect(accepting);
        return seen.future().isComplete();
      });
    assertEquals(accepting.id(), seen.future().result().getString(Events.NODE));
  }

  @Test
  @DisplayName("Every node's /stats lists every node with its counts, and the totals count each connection once")
  void everyNodeShowsTheWholeCluster() throws Exception {
    Node first = cluster.start();
    Node second = cluster.start();
    cluster.connect(first);
    cluster.connect(first);
    cluster.connect(second);

    for (Node node : new Node[] {first, second}) {
      JsonObject stats = cluster.awaitStats(node, "2 nodes and 3 active connections",
        s -> nodeCount(s) == 2 && s.getJsonObject("cluster").getLong("active") == 3);
      JsonObject cluster = stats.getJsonObject("cluster");
      assertEquals(3, cluster.getLong("accepted"));
      assertEquals(2, clusterEntry(stats, first).getLong("active"));
      assertEquals(1, clusterEntry(stats, second).getLong("active"));
      assertEquals(2, clusterEntry(stats, first).getJsonArray("instances").size());
      assertEquals(node == first ? 2 : 1, stats.getJsonObject("node").getLong("active"));
    }
  }

  @Test
  @DisplayName("Each node applies its own config file: scaling one node's instances shows in the other node's cluster view")
  void eachNodeAppliesItsOwnConfig(@TempDir Path dir) throws Exception {
    Path firstFile = write(dir.resolve("first.json"), ClusterNodes.baseConfig().put("configScanMillis", 100));
    Path secondFile = write(dir.resolve("second.json"), ClusterNodes.baseConfig().put("configScanMillis", 100));
    Node first = cluster.start(firstFile);
    Node second = cluster.start(secondFile);
    cluster.awaitStats(second, "2 nodes", s -> nodeCount(s) == 2);

    write(firstFile, ClusterNodes.baseConfig().put("configScanMillis", 100).put("instances", 4));

    JsonObject seenBySecond = cluster.awaitStats(second, "the first node with 4 instances",
      s -> clusterEntry(s, first) != null && clusterEntry(s, first).getJsonArray("instances").size() == 4);
    assertEquals(2, clusterEntry(seenBySecond, second).getJsonArray("instances").size());
    assertEquals(2, seenBySecond.getJsonObject("node").getJsonArray("instances").size());
  }

  private static Path write(Path file, JsonObject config) throws Exception {
    return AtomicFile.write(file, config.encodePrettily());
  }

  @Test
  @DisplayName("A peer is aged by its own interval: one publishing every 7 s never drops out of a 200 ms node's view")
  void peersAgeByTheirOwnClock() throws Exception {
    Node fast = cluster.start();
    Node slow = cluster.start(new ConfigLoader(ClusterNodes.baseConfig().put("statsIntervalMillis", 7000), Map.of(), new Properties()));
    JsonObject seen = cluster.awaitStats(fast, "the slow node", s -> clusterEntry(s, slow) != null);
    assertEquals(35_000, clusterEntry(seen, slow).getLong("validMillis"));

    // Longer than 5 of the fast node's own intervals (at least 5 s), and than one of the slow node's.
    await("the slow node staying in the fast node's view").during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(12))
      .pollInterval(Duration.ofMillis(250))
      .until(() -> clusterEntry(cluster.stats(fast), slow) != null);
  }

  @Test
  @DisplayName("A node whose subscription to the summaries its peers lose (a lost registration event, a peer that took it "
    + "for dead) says so and subscribes again, and its peers reach it again, without the cluster manager's refresh")
  void nodeLeftOutOfTheSubscriptionsSubscribesAgain() throws Exception {
    try (LogCapture stats = LogCapture.of(StatsVerticle.class)) {
      Node peer = cluster.start();
      // RefreshingClusterManager would put the lost subscription back within 5 s (RefreshingClusterManagerTest), before
      // the stats verticle's 15 s: the left-out node runs without it, so that this fallback is what repairs the view.
      Node leftOut = cluster.startWithoutRefresh();
      cluster.awaitStats(leftOut, "the peer", s -> clusterEntry(s, peer) != null);

      // The fault, through the cluster-manager SPI: the peer removes the left-out node's subscription from the
      // cluster's registry, as Vert.x does for a member it believes gone. The peer stops publishing to it.
      List<RegistrationInfo> registrations = Future.<List<RegistrationInfo>>future(
        promise -> peer.clusterManager().getRegistrations(Events.NODE_SUMMARY, promise)).await(30, TimeUnit.SECONDS);
      List<RegistrationInfo> leftOuts = registrations.stream().filter(info -> info.nodeId().equals(leftOut.id())).toList();
      assertEquals(1, leftOuts.size(), () -> "the left-out node's registrations among " + registrations);
      Future.<Void>future(promise -> peer.clusterManager().removeRegistration(Events.NODE_SUMMARY, leftOuts.get(0), promise))
        .await(30, TimeUnit.SECONDS);
      cluster.awaitStats(leftOut, "the peer gone from the left-out node's view", s -> clusterEntry(s, peer) == null);

      cluster.awaitStats(leftOut, "the peer back in the left-out node's view", s -> clusterEntry(s, peer) != null);
      assertTrue(stats.messages().stream().anyMatch(line -> line.contains("Cluster member " + peer.id())
        && line.contains("no summary from it has arrived") && line.contains("Subscribing again")), () -> "logged: " + stats.messages());
    }
  }

  @Test
  @DisplayName("A node that joins late shows the cluster's totals")
  void lateJoinerSeesTheTotals() throws Exception {
    Node first = cluster.start();
    Node second = cluster.start();
    cluster.connect(first);
    cluster.connect(second);
    cluster.connect(second);

    Node late = cluster.start();

    JsonObject stats = cluster.awaitStats(late, "3 nodes and 3 active connections",
      s -> nodeCount(s) == 3 && s.getJsonObject("cluster").getLong("active") == 3);
    assertEquals(3, stats.getJsonObject("cluster").getLong("accepted"));
    assertEquals(0, clusterEntry(stats, late).getLong("active"));
  }

  @Test
  @DisplayName("A node that stops leaves the other nodes' views, and its connections stop being counted")
  void stoppedNodeLeavesTheView() throws Exception {
    Node staying = cluster.start();
    Node leaving = cluster.start();
    cluster.connect(staying);
    cluster.connect(leaving);
    cluster.awaitStats(staying, "2 nodes", s -> nodeCount(s) == 2 && s.getJsonObject("cluster").getLong("active") == 2);

    leaving.vertx().close().await(60, TimeUnit.SECONDS);

    JsonObject stats = cluster.awaitStats(staying, "the stopped node to leave", s -> nodeCount(s) == 1);
    assertEquals(1, stats.getJsonObject("cluster").getLong("active"));
    assertEquals(staying.id(), stats.getJsonObject("cluster").getJsonArray("nodes").getJsonObject(0).getString("id"));
  }
}
