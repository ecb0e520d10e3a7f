package io.vertxecho.stats;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
@Timeout(120)
@DisplayName("Node statistics")
class StatsTest {

  @Test
  @DisplayName("after 10,000 connections opened and closed by 100 concurrent clients, active is 0 and accepted is exactly 10,000")
  void countsAreExact(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject().put("instances", 4));
    NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000));
    List<Future<Void>> chains = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      chains.add(connectAndClose(client, node.port(), 100));
    }
    Future.all(chains).await();

    JsonObject stats = node.awaitNode(n -> n.getLong("active") == 0 && n.getLong("accepted") == 10_000);
    long closed = stats.getJsonObject("closed").stream().mapToLong(entry -> ((Number) entry.getValue()).longValue()).sum();
    assertEquals(10_000, closed);
    assertTrue(stats.getLong("peak") > 0);
    long perInstance = stats.getJsonArray("instances").stream().mapToLong(i -> ((JsonObject) i).getLong("accepted")).sum();
    assertEquals(10_000, perInstance);
  }

  private Future<Void> connectAndClose(NetClient client, int port, int remaining) {
    if (remaining == 0) {
      return Future.succeededFuture();
    }
    return client.connect(port, "127.0.0.1")
      .compose(socket -> socket.close())
      .compose(closed -> connectAndClose(client, port, remaining - 1));
  }

  @Test
  @DisplayName("connections are spread over the instances' event loops")
  void connectionsLandOnSeveralEventLoops(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject().put("instances", 4));
    List<Wire> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        Wire client = Wire.connect(node.port());
        client.readLine();
        clients.add(client);
      }
      JsonObject stats = node.awaitNode(n -> n.getLong("active") == 8);
      Set<String> busyLoops = new HashSet<>();
      stats.getJsonArray("instances").stream().map(JsonObject.class::cast)
        .filter(instance -> instance.getLong("active") > 0)
        .forEach(instance -> busyLoops.add(instance.getString("eventLoop")));
      assertEquals(4, stats.getJsonArray("instances").size());
      assertTrue(busyLoops.size() >= 2, "connections on event loops " + busyLoops);
    } finally {
      clients.forEach(Wire::close);
    }
  }

  @Test
  @DisplayName("bytes in and out, peak and closed-by-reason are reported for the node")
  void trafficTotals(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject());
    try (Wire a = Wire.connect(node.port()); Wire b = Wire.connect(node.port())) {
      a.readLine();
      b.readLine();
      a.send("0123456789\n");
      a.readLine();
      b.send("exit\n").readToEnd();
    }
    int greeting = "Welcome to my server\n".length();
    JsonObject stats = node.awaitNode(n -> n.getLong("active") == 0 && n.getLong("bytesIn") == 16);
    assertEquals(2 * greeting + 11 + "Bye\n".length(), stats.getLong("bytesOut"));
    assertEquals(2, stats.getLong("peak"));
    assertEquals(1, TestNode.closed(stats, "quit"));
    assertEquals(1, TestNode.closed(stats, "client-closed"));
  }
}
