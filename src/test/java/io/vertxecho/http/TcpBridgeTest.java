package io.vertxecho.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.EventContract;
import io.vertxecho.LogCapture;
import io.vertxecho.TestCertificates;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import io.vertxecho.events.Events;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TCP event-bus bridge ({@code bridge.tcp.port}) of a real node, read and written over real sockets. */
@ExtendWith(VertxExtension.class)
@Timeout(90)
@DisplayName("TCP event-bus bridge")
class TcpBridgeTest {

  private static TestNode start(Vertx vertx, JsonObject config) {
    return TestNode.start(vertx, new JsonObject().put("bridge", new JsonObject().put("tcp", new JsonObject().put("port", 0))).mergeIn(config, true));
  }

  @Test
  @DisplayName("the schema names a definition for every address either bridge lets a client register for or request")
  void schemaCoversEveryAddress() throws IOException {
    JsonObject schema = new JsonObject(java.nio.file.Files.readString(EventContract.SCHEMA));
    JsonObject addresses = schema.getJsonObject("x-bridge-addresses");
    List<String> exposed = new java.util.ArrayList<>(BridgePermissions.CLIENT_OUTBOUND);
    exposed.addAll(BridgePermissions.INBOUND);
    assertEquals(new java.util.TreeSet<>(exposed), new java.util.TreeSet<>(addresses.fieldNames()));
    addresses.forEach(entry -> assertTrue(schema.getJsonObject("$defs").containsKey((String) entry.getValue()), entry.toString()));
  }

  @Test
  @DisplayName("off by default")
  void offByDefault(Vertx vertx) {
    assertEquals(-1, TestNode.start(vertx, new JsonObject()).tcpBridgePort());
  }

  @Test
  @DisplayName("a client receives node summaries and connection events (as echo.connections), and gets the stats on request")
  void summariesEventsAndStats(Vertx vertx) throws Exception {
    TestNode node = start(vertx, new JsonObject());
    try (TcpBridgeClient bridge = TcpBridgeClient.connect(node.tcpBridgePort())) {
      // connections first: the bridge handles the frames in order, so the first summary proves both registrations
      bridge.register(Events.CONNECTIONS).register(Events.NODE_SUMMARY);
      EventContract.assertValid("nodeSummary", bridge.awaitBody(Events.NODE_SUMMARY, "a summary", summary -> true));
      bridge.followOneConnection(node, () -> { });
      bridge.send(TcpBridgeClient.request(Events.STATS, "stats-1"));
      JsonObject snapshot = bridge.awaitBody("stats-1", "the stats reply", reply -> true);
      EventContract.assertValid("statsSnapshot", snapshot);
      assertEquals(node.stats().getJsonObject(Events.NODE).getString(Events.ID), snapshot.getJsonObject(Events.NODE).getString(Events.ID));
    }
  }

  @Test
  @DisplayName("exactly the WebSocket bridge's permissions: anything else gets an err frame, and the client stays connected")
  void forbiddenGetsErr(Vertx vertx) throws Exception {
    TestNode node = start(vertx, new JsonObject());
    List<JsonObject> forbidden = List.of(
      new JsonObject().put("type", "register").put("address", Events.INSTANCE_SUMMARY),
      new JsonObject().put("type", "register").put("address", Events.BRIDGE_CONNECTIONS),
      new JsonObject().put("type", "register").put("address", Events.CONFIG),
      new JsonObject().put("type", "publish").put("address", Events.STATS).put("body", new JsonObject()),
      new JsonObject().put("type", "send").put("address", Events.STATS).put("body", new JsonObject()),
      TcpBridgeClient.request(Events.CONFIG, "config-1"),
      TcpBridgeClient.request(Events.VERTICLES_STOP, "stop-1"),
      new JsonObject().put("type", "publish").put("address", Events.ALERTS).put("body", new JsonObject()));
    try (TcpBridgeClient bridge = TcpBridgeClient.connect(node.tcpBridgePort())) {
      for (JsonObject frame : forbidden) {
        bridge.send(frame);
        JsonObject answer = bridge.read();
        assertEquals("err", answer.getString("type"), frame.encode() + " got " + answer.encode());
        assertTrue(List.of("access_denied", "blocked by bridgeEvent handler").contains(answer.getString("message")), answer.encode());
      }
      for (String address : BridgePermissions.CLIENT_OUTBOUND) {
        bridge.register(address);
      }
      bridge.send(new JsonObject().put("type", "ping"));
      assertEquals(new JsonObject().put("type", "pong"), bridge.await("pong", frame -> !Events.NODE_SUMMARY.equals(frame.getString("address"))),
        "every permitted address registers without an err frame");
    }
  }

  @Test
  @DisplayName("a client that never reads is disconnected once its unwritten frames pass the bound")
  void neverReads(Vertx vertx) throws Exception {
    TestNode node = start(vertx, new JsonObject());
    try (LogCapture log = LogCapture.of(TcpBridgeVerticle.class)) {
      Socket socket = new Socket();
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", node.tcpBridgePort()), 5000);
      try (TcpBridgeClient bridge = new TcpBridgeClient(socket)) {
        bridge.register(Events.NODE_SUMMARY);
        boolean writeFailed = false;
        // each request's reply is a snapshot of a few KiB: far more than the kernel's buffers and the bound together
        for (int i = 0; i < 50_000 && !writeFailed; i++) {
          try {
            bridge.send(TcpBridgeClient.request(Events.STATS, "r" + i));
          } catch (IOException disconnected) {
            writeFailed = true;
          }
        }
        if (!writeFailed) {
          drainToEnd(bridge);
        }
      }
      assertTrue(log.messages().stream().anyMatch(line -> line.contains("did not read")), log.messages().toString());
      String line = log.messages().stream().filter(message -> message.contains("did not read")).findFirst().orElseThrow();
      long waiting = Long.parseLong(line.replaceAll(".*read, (\\d+) bytes.*", "$1"));
      assertTrue(waiting <= TcpBridgeVerticle.MAX_UNWRITTEN_BYTES + 64 * 1024, line);
    }
    try (Wire client = Wire.connect(node.port())) {
      client.readLine();
      client.send("still serving\n");
      assertEquals("still serving", client.readLine());
    }
  }

  /** Reads what the node had written until it closed the connection (a reset counts as closed). */
  private static void drainToEnd(TcpBridgeClient bridge) {
    try {
      while (bridge.read() != null) {
        // the frames queued before the disconnection
      }
    } catch (IOException reset) {
      // the node closed with frames unread: the client sees a reset
    }
  }

  @Test
  @DisplayName("bridge sockets count in the node's connection budget, with the echo port's connections")
  void connectionBudget(Vertx vertx) throws Exception {
    TestNode node = start(vertx, new JsonObject().put("maxConnections", 1));
    try (Wire client = Wire.connect(node.port())) {
      client.readLine();
      try (TcpBridgeClient refused = TcpBridgeClient.connect(node.tcpBridgePort())) {
        // it sends before it reads, as a client may: it still gets the err frame, then the end of the stream
        refused.send(new JsonObject().put("type", "ping"));
        assertEquals(new JsonObject().put("type", "err").put("message", "server_full"), refused.read());
        assertNull(refused.read(), "closed after the err frame");
      }
    }
    node.awaitNode(summary -> summary.getLong(Events.ACTIVE) == 0);
    try (TcpBridgeClient bridge = TcpBridgeClient.connect(node.tcpBridgePort())) {
      bridge.send(new JsonObject().put("type", "ping"));
      assertEquals("pong", bridge.read().getString("type"));
      try (Wire client = Wire.connect(node.port())) {
        assertEquals("ERR server full", client.readLine());
      }
    }
  }

  @Test
  @DisplayName("TLS with the echo port's certificate settings when bridge.tcp.tls is set")
  void tls(Vertx vertx, @TempDir Path dir) throws Exception {
    TestCertificates certificates = TestCertificates.make(dir);
    TestNode node = start(vertx, new JsonObject()
      .put("bridge", new JsonObject().put("tcp", new JsonObject().put("port", 0).put("tls", true)))
      .put("tls", new JsonObject().put("certPath", certificates.serverCert().toString()).put("keyPath", certificates.serverKey().toString())));
    try (TcpBridgeClient bridge = new TcpBridgeClient(certificates.connect(node.tcpBridgePort()).socket())) {
      bridge.send(TcpBridgeClient.request(Events.STATS, "stats-tls"));
      EventContract.assertValid("statsSnapshot", bridge.awaitBody("stats-tls", "the stats reply", reply -> true));
    }
  }
}
