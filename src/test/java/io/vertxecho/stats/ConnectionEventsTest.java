package io.vertxecho.stats;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.TestNode;
import io.vertxecho.events.Events;
import io.vertxecho.Wire;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.net.InetAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("Connection events on the event bus")
class ConnectionEventsTest {

  @Test
  @DisplayName("connected and disconnected events carry the documented JSON fields with exact byte and line counts")
  void eventFields(Vertx vertx) {
    List<JsonObject> events = listen(vertx);
    TestNode node = TestNode.start(vertx, new JsonObject());
    try (Wire client = Wire.connect(node.port())) {
      client.send("hello\nquit\n");
      client.readToEnd();
    }
    awaitSize(events, 2);
    JsonObject connected = events.get(0);
    JsonObject disconnected = events.get(1);
    assertEquals("connected", connected.getString("event"));
    for (String field : List.of("node", "instance", "eventLoop", "connection", "remote", "local", "time")) {
      assertNotNull(connected.getValue(field), field);
    }
    assertEquals(node.stats().getJsonObject("node").getString("id"), connected.getString("node"));
    assertEquals("disconnected", disconnected.getString("event"));
    assertEquals(connected.getString("connection"), disconnected.getString("connection"));
    assertEquals(11, disconnected.getLong("bytesIn"));
    assertEquals("Welcome to my server\n".length() + "hello\n".length() + "Bye\n".length(), disconnected.getLong("bytesOut"));
    assertEquals(1, disconnected.getLong("lines"));
    assertEquals("quit", disconnected.getString("reason"));
    assertNotNull(disconnected.getLong("durationMillis"), "durationMillis");
  }

  @Test
  @DisplayName("every closed connection has exactly one close reason")
  void oneReasonPerConnection(Vertx vertx) throws Exception {
    List<JsonObject> events = listen(vertx);
    TestNode node = TestNode.start(vertx, new JsonObject()
      .put("maxConnections", 2).put("maxLineBytes", 8).put("shutdownGraceSeconds", 1));
    // Each client waits until the node has counted its close: the limit of 2 holds until then.
    try (Wire client = Wire.connect(node.port())) {
      client.readLine();
    }
    node.awaitNode(stats -> stats.getLong("active") == 0);
    try (Wire client = Wire.connect(node.port())) {
      client.send("quit\n").readToEnd();
    }
    node.awaitNode(stats -> stats.getLong("active") == 0);
    try (Wire client = Wire.connect(node.port())) {
      client.send("far too long\n").readToEnd();
    }
    node.awaitNode(stats -> stats.getLong("active") == 0);
    try (Wire client = Wire.connect(node.port())) {
      client.readLine();
      Socket socket = client.socket();
      socket.setSoLinger(true, 0);
    }
    node.awaitNode(stats -> stats.getLong("active") == 0);
    try (Wire first = Wire.connect(node.port()); Wire second = Wire.connect(node.port())) {
      first.readLine();
      second.readLine();
      try (Wire third = Wire.connect(node.port())) {
        third.readToEnd();
      }
      node.stop();
      first.readToEnd();
      second.readToEnd();
    }
    awaitSize(events, 13);
    Map<String, Integer> reasons = new HashMap<>();
    events.stream().filter(event -> !"connected".equals(event.getString("event")))
      .forEach(event -> reasons.merge(event.getString("reason"), 1, Integer::sum));
    assertEquals(Map.of("client-closed", 1, "quit", 1, "line-too-long", 1, "error", 1, "server-full", 1, "shutdown", 2), reasons);
  }

  @Test
  @DisplayName("over IPv6 every address is host:port with the host in brackets: events, the node summary, recent clients")
  void ipv6AddressesInBrackets(Vertx vertx) throws Exception {
    List<JsonObject> events = listen(vertx);
    TestNode node = TestNode.start(vertx, new JsonObject().put("host", "::1"));
    String remote;
    try (Wire client = Wire.over(new Socket("::1", node.port()))) {
      Socket socket = client.socket();
      remote = "[" + socket.getLocalAddress().getHostAddress() + "]:" + socket.getLocalPort();
      client.send("exit\n").readToEnd();
    }
    awaitSize(events, 2);
    String local = "[" + InetAddress.getByName("::1").getHostAddress() + "]:" + node.port();
    for (JsonObject event : events) {
      assertEquals(remote, event.getString(Events.REMOTE), () -> "remote of " + event);
      assertEquals(local, event.getString(Events.LOCAL), () -> "local of " + event);
    }
    JsonObject summary = node.awaitNode(stats -> stats.getLong("accepted") == 1);
    assertEquals("[::1]:" + node.port(), summary.getString(Events.ADDRESS));
    JsonObject recent = node.stats().getJsonObject(Events.NODE).getJsonArray(Events.RECENT_CLIENTS).getJsonObject(0);
    assertEquals(remote, recent.getString(Events.REMOTE));
  }

  @Test
  @DisplayName("a node's consumers share each connection event (read-only, EventCodec) instead of each getting a copy")
  void eventsShared(Vertx vertx) {
    List<JsonObject> first = listen(vertx);
    List<JsonObject> second = listen(vertx);
    TestNode node = TestNode.start(vertx, new JsonObject());
    try (Wire client = Wire.connect(node.port())) {
      client.send("quit\n");
      client.readToEnd();
    }
    awaitSize(first, 2);
    awaitSize(second, 2);
    assertSame(first.get(0), second.get(0));
    assertSame(first.get(1), second.get(1));
  }

  static List<JsonObject> listen(Vertx vertx) {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Events.CONNECTIONS, message -> events.add(message.body()));
    consumer.completion().await();
    return events;
  }

  /** Waits up to 20 s for {@code size} events; on a timeout or too many, shows them all. */
  static void awaitSize(List<?> list, int size) {
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
      .untilAsserted(() -> assertTrue(list.size() >= size, () -> "events: " + list));
    assertEquals(size, list.size(), () -> "events: " + list);
  }
}
