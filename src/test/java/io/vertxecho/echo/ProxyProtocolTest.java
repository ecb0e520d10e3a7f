package io.vertxecho.echo;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.EventContract;
import io.vertxecho.LogCapture;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import io.vertxecho.access.AccessLog;
import io.vertxecho.events.Events;
import io.vertxecho.internal.ServerTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Config proxyProtocol: the real client address from a PROXY v1 or v2 header, and the access log that records it. */
@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("PROXY protocol and the access log")
class ProxyProtocolTest {

  private LogCapture accessLog;

  @BeforeEach
  void captureAccessLog() {
    accessLog = LogCapture.of(AccessLog.LOGGER);
  }

  @AfterEach
  void releaseAccessLog() {
    accessLog.close();
  }

  @Test
  @DisplayName("a PROXY v1 header: the client address in the stats and the access log is the header's source")
  void proxyV1(Vertx vertx) {
    TestNode node = startNode(vertx);
    try (Wire client = Wire.connect(node.port())) {
      client.send("PROXY TCP4 203.0.113.7 192.0.2.1 51000 9999\r\n");
      assertEquals("Welcome to my server", client.readLine());
      client.send("a\n");
      assertEquals("a", client.readLine());
      client.send("exit\n");
      assertEquals("Bye\n", client.readToEndString());
    }
    JsonObject stats = node.awaitNode(n -> TestNode.closed(n, "quit") == 1);
    assertEquals("203.0.113.7:51000", stats.getJsonArray("recentClients").getJsonObject(0).getString("remote"));
    assertEquals("client=203.0.113.7:51000 port=9999 instance=" + instanceOf(stats)
      + " durationMs=? bytesIn=7 bytesOut=27 lines=1 reason=quit", awaitAccessLine().replaceFirst("durationMs=\\d+", "durationMs=?"));
  }

  @Test
  @DisplayName("a PROXY v2 header (binary, as HAProxy's send-proxy-v2 writes it): the client address is the header's source")
  void proxyV2(Vertx vertx) {
    TestNode node = startNode(vertx);
    try (Wire client = Wire.connect(node.port())) {
      client.send(proxyV2Header(new byte[] {(byte) 198, 51, 100, 9}, 40000, new byte[] {(byte) 192, 0, 2, 1}, 9999, 0));
      assertEquals("Welcome to my server", client.readLine());
      client.send("exit\n");
      assertEquals("Bye\n", client.readToEndString());
    }
    JsonObject stats = node.awaitNode(n -> TestNode.closed(n, "quit") == 1);
    assertEquals("198.51.100.9:40000", stats.getJsonArray("recentClients").getJsonObject(0).getString("remote"));
    assertEquals(true, awaitAccessLine().startsWith("client=198.51.100.9:40000 port=9999 "));
  }

  @Test
  @DisplayName("a client that starts without a PROXY header is closed at once with reason proxy-header; others are served")
  void malformedHeader(Vertx vertx) {
    TestNode node = startNode(vertx);
    try (Wire plain = Wire.connect(node.port())) {
      plain.send("hello, no header here\r\n");
      assertEquals("", plain.readToEndString());
    }
    node.awaitNode(n -> TestNode.closed(n, CloseReason.PROXY_HEADER.key()) == 1);
    try (Wire proxied = Wire.connect(node.port())) {
      proxied.send("PROXY TCP4 203.0.113.8 192.0.2.1 51001 9999\r\n");
      assertEquals("Welcome to my server", proxied.readLine());
    }
    JsonObject stats = node.awaitNode(n -> TestNode.closed(n, "client-closed") == 1);
    assertEquals(1, stats.getLong("accepted"));
  }

  @Test
  @DisplayName("a client with no complete PROXY header by the deadline is closed with reason proxy-timeout, even one that dribbles bytes")
  void headerDeadline() throws Exception {
    VertxOptions options = new VertxOptions().setPreferNativeTransport(true);
    Vertx vertx = Vertx.builder().with(options).withTransport(ServerTransport.around(ServerTransport.chosenBy(options), Duration.ofSeconds(EchoVerticle.PROXY_HEADER_TIMEOUT_SECONDS), Integer.MAX_VALUE)).build();
    try {
      List<JsonObject> rejected = new CopyOnWriteArrayList<>();
      vertx.eventBus().<JsonObject>localConsumer(Events.CONNECTIONS, event -> rejected.add(event.body())).completion().await();
      TestNode node = startNode(vertx);
      try (Wire silent = Wire.connect(node.port()); Wire dribbling = Wire.connect(node.port())) {
        // A v2 header announcing 200 bytes of TLVs, sent a byte every 100 ms: an idle timeout never fires on it.
        byte[] header = proxyV2Header(new byte[] {(byte) 198, 51, 100, 10}, 40001, new byte[] {(byte) 192, 0, 2, 1}, 9999, 200);
        Thread writer = new Thread(() -> dribble(dribbling, header), "dribbling-client");
        writer.start();
        assertEquals("", silent.readToEndString());
        assertEquals("", dribbling.readToEndString());
        writer.join();
      }
      JsonObject stats = node.awaitNode(n -> TestNode.closed(n, CloseReason.PROXY_TIMEOUT.key()) == 2);
      assertEquals(0, stats.getLong("accepted"));
      assertEquals(2, rejected.size(), () -> "events: " + rejected);
      for (JsonObject event : rejected) {
        EventContract.assertValid("rejected", event);
        assertEquals(CloseReason.PROXY_TIMEOUT.key(), event.getString(Events.REASON));
        assertTrue(event.getString(Events.REMOTE).startsWith("127.0.0.1:"), () -> "not the peer's address: " + event);
      }
      try (Wire proxied = Wire.connect(node.port())) {
        proxied.send(proxyV2Header(new byte[] {(byte) 198, 51, 100, 11}, 40002, new byte[] {(byte) 192, 0, 2, 1}, 9999, 0));
        assertEquals("Welcome to my server", proxied.readLine());
      }
    } finally {
      vertx.close().await();
    }
  }

  /** Writes {@code bytes} one at a time, 100 ms apart, until they are all sent or the server has closed. */
  private static void dribble(Wire client, byte[] bytes) {
    try {
      for (byte b : bytes) {
        client.socket().getOutputStream().write(b);
        Thread.sleep(100);
      }
    } catch (IOException | InterruptedException closed) {
      // the server closed the connection: what the test expects
    }
  }

  private static TestNode startNode(Vertx vertx) {
    return TestNode.start(vertx, new JsonObject().put("proxyProtocol", true).put("accessLog", true).put("instances", 1));
  }

  private static String instanceOf(JsonObject stats) {
    return stats.getJsonArray("instances").getJsonObject(0).getString("id");
  }

  /** Waits up to 30 s for the access log's first line. */
  private String awaitAccessLine() {
    await("an access log line").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
      .until(() -> !accessLog.messages().isEmpty());
    return accessLog.messages().get(0);
  }

  /**
   * A PROXY protocol v2 header for a TCP over IPv4 connection (HAProxy's proxy-protocol.txt, section 2.2), followed by
   * {@code padding} bytes of PP2_TYPE_NOOP TLV.
   */
  private static byte[] proxyV2Header(byte[] source, int sourcePort, byte[] destination, int destinationPort, int padding) {
    byte[] signature = "\r\n\r\n\0\r\nQUIT\n".getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer header = ByteBuffer.allocate(signature.length + 4 + 12 + padding);
    header.put(signature).put((byte) 0x21).put((byte) 0x11).putShort((short) (12 + padding));
    header.put(source).put(destination).putShort((short) sourcePort).putShort((short) destinationPort);
    if (padding > 0) {
      header.put((byte) 0x04).putShort((short) (padding - 3));
    }
    return header.array();
  }
}
