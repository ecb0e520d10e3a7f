package io.vertxecho.echo;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A refused client is told why and closed in order, whatever it sent before it read: it reads the whole ERR line (line
 * mode), then the end of the stream. On the native transport, as the node runs: there a socket closed with input
 * unread sends a reset instead of a FIN, and the client reads the line, if at all, then "Connection reset". The NIO
 * transport of the other in-process tests hides it (the JDK shuts a socket's output down before it closes it).
 */
@Timeout(60)
@DisplayName("Refused clients: the ERR line, then an orderly close")
class LingeringCloseTest {

  /**
   * Refused clients per case, one after another. Closed at once, a client was reset when its line reached the node
   * before the close (about 5 times in 6 here); the other times the close came first and its FIN ended the stream.
   */
  private static final int REFUSED = 3;

  private Vertx vertx;

  @BeforeEach
  void nativeTransport() {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    assertTrue(vertx.isNativeTransportEnabled(), () -> "no native transport: " + vertx.unavailableNativeTransportCause());
  }

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @ParameterizedTest(name = "{0} mode, over {1}")
  @CsvSource({
    "line, maxConnections, 'ERR server full\\n', server-full",
    "raw, maxConnections, '', server-full",
    "line, maxConnectionsPerIp, 'ERR too many connections from your address\\n', per-ip-limit",
    "raw, maxConnectionsPerIp, '', per-ip-limit"})
  @DisplayName("a refused client that sends before it reads still reads the whole ERR line (line mode), then the end of"
    + " the stream, not a reset")
  void refusedClientThatSendsFirst(String mode, String limit, String answer, String reason) {
    TestNode node = TestNode.start(vertx, new JsonObject().put("mode", mode).put(limit, 1));
    try (Wire admitted = Wire.connect(node.port())) {
      node.awaitNode(stats -> stats.getLong("active") == 1);
      for (int i = 1; i <= REFUSED; i++) {
        try (Wire refused = Wire.connect(node.port())) {
          refused.send("hello\n");
          long rejected = i;
          node.awaitNode(stats -> stats.getLong("rejected") == rejected);
          assertEquals(answer.translateEscapes(), refused.readToEndString(), "refused client " + i);
        }
      }
    }
    JsonObject stats = node.awaitNode(n -> n.getLong("active") == 0);
    assertEquals(REFUSED, TestNode.closed(stats, reason));
    assertEquals(1, stats.getLong("accepted"));
  }
}
