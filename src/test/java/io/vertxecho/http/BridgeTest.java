package io.vertxecho.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.EventContract;
import io.vertxecho.HttpGet;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import io.vertxecho.events.Events;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("Event-bus bridge")
class BridgeTest {

  @Test
  @DisplayName("a bridge client receives node summaries and connection events, each as the published schema says")
  void summariesAndConnectionEvents(Vertx vertx) throws Exception {
    TestNode node = TestNode.start(vertx, new JsonObject());
    try (BridgeClient bridge = BridgeClient.connect(vertx, node.httpPort())) {
      // connections first: the bridge handles the frames in order, so the first summary proves both registrations
      bridge.register(Events.CONNECTIONS).register(Events.NODE_SUMMARY);
      JsonObject idle = bridge.awaitBody(Events.NODE_SUMMARY, "a summary (the registrations are in place)", summary -> true);
      EventContract.assertValid("nodeSummary", idle);
      bridge.followOneConnection(node, () -> EventContract.assertValid("nodeSummary",
        bridge.awaitBody(Events.NODE_SUMMARY, "a summary with 1 active", summary -> summary.getLong(Events.ACTIVE) == 1)));
    }
  }

  @Test
  @DisplayName("a request to echo.stats over the bridge gets the node's snapshot")
  void statsRequest(Vertx vertx) throws Exception {
    TestNode node = TestNode.start(vertx, new JsonObject());
    try (BridgeClient bridge = BridgeClient.connect(vertx, node.httpPort())) {
      bridge.send(request(Events.STATS, "stats-1"));
      JsonObject snapshot = bridge.awaitBody("stats-1", "the stats reply", reply -> true);
      EventContract.assertValid("statsSnapshot", snapshot);
      assertEquals(node.stats().getJsonObject("node").getString("id"), snapshot.getJsonObject("node").getString("id"));
    }
  }

  @Test
  @DisplayName("a forged publish to echo.connections, and every other frame outside the permissions, get an error frame and change no count")
  void forgedFramesAreRefused(Vertx vertx) throws Exception {
    TestNode node = TestNode.start(vertx, new JsonObject());
    String nodeId = node.stats().getJsonObject("node").getString("id");
    JsonObject forged = new JsonObject().put(Events.EVENT, Events.CONNECTED).put(Events.NODE, nodeId)
      .put(Events.INSTANCE, "forged").put(Events.EVENT_LOOP, "forged").put(Events.CONNECTION, "forged")
      .put(Events.REMOTE, "6.6.6.6:666").put(Events.LOCAL, "forged").put(Events.TIME, 1L);
    try (BridgeClient bridge = BridgeClient.connect(vertx, node.httpPort())) {
      bridge.send(new JsonObject().put("type", "publish").put("address", Events.CONNECTIONS).put("body", forged));
      assertEquals("rejected", bridge.await("an error frame for the publish", BridgeClient::isError).getString("body"));
      bridge.send(new JsonObject().put("type", "send").put("address", Events.CONNECTIONS).put("body", forged));
      assertEquals("rejected", bridge.await("an error frame for the one-way send", BridgeClient::isError).getString("body"));
      bridge.send(request(Events.CONNECTIONS, "forged-1").put("body", forged));
      assertEquals("access_denied", bridge.await("an error frame for the request", BridgeClient::isError).getString("body"));
      bridge.send(new JsonObject().put("type", "publish").put("address", Events.STATS).put("body", new JsonObject()));
      assertEquals("rejected", bridge.await("an error frame for a publish to echo.stats", BridgeClient::isError).getString("body"));
      bridge.register(Events.INSTANCE_SUMMARY);
      assertEquals("access_denied", bridge.await("an error frame for the register", BridgeClient::isError).getString("body"));
      bridge.register(Events.BRIDGE_CONNECTIONS);
      assertEquals("rejected", bridge.await("an error frame for the relay's own address", BridgeClient::isError).getString("body"));
    }
    JsonObject stats = node.stats().getJsonObject("node");
    assertEquals(0, stats.getLong(Events.ACCEPTED), stats.encode());
    assertEquals(0, stats.getLong(Events.ACTIVE), stats.encode());
  }

  @Test
  @DisplayName("over bridge.connectionEventsPerSecond, connection events are counted in one 'skipped' message a second instead")
  void relayIsRateLimited(Vertx vertx) throws Exception {
    TestNode node = TestNode.start(vertx, new JsonObject().put("bridge", new JsonObject().put("connectionEventsPerSecond", 1)));
    int connections = 6;
    try (BridgeClient bridge = BridgeClient.connect(vertx, node.httpPort())) {
      bridge.register(Events.CONNECTIONS);
      bridge.register(Events.NODE_SUMMARY);
      bridge.awaitBody(Events.NODE_SUMMARY, "a summary (the registrations are in place)", summary -> true);
      for (int i = 0; i < connections; i++) {
        try (Wire client = Wire.connect(node.port())) {
          client.readLine();
        }
      }
      long relayed = 0;
      long skipped = 0;
      while (relayed + skipped < 2 * connections) {
        JsonObject event = bridge.awaitBody(Events.CONNECTIONS, "events until " + 2 * connections + " are accounted for"
          + " (relayed " + relayed + ", skipped " + skipped + ")", body -> true);
        EventContract.assertValid("connectionEvent", event);
        if (Events.SKIPPED.equals(event.getString(Events.EVENT))) {
          skipped += event.getJsonObject(Events.COUNTS).stream().mapToLong(count -> ((Number) count.getValue()).longValue()).sum();
        } else {
          relayed++;
        }
      }
      assertEquals(2 * connections, relayed + skipped);
      assertEquals(true, skipped > 0, "relayed " + relayed + ", skipped " + skipped);
    }
  }

  @Test
  @DisplayName("with bridge.enabled false there is no /eventbus, and the dashboard is still served")
  void bridgeOff(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject().put("bridge", new JsonObject().put("enabled", false)));
    HttpGet http = new HttpGet();
    assertEquals(404, http.get(node.httpPort(), "/eventbus/info").statusCode());
    HttpResponse<String> page = http.get(node.httpPort(), "/");
    assertEquals(200, page.statusCode());
    assertEquals(true, page.body().contains("<title>vertx-echo dashboard</title>"), page.body());
  }

  private static JsonObject request(String address, String replyAddress) {
    return new JsonObject().put("type", "send").put("address", address).put("body", new JsonObject()).put("replyAddress", replyAddress);
  }
}
