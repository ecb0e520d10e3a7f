package io.vertxecho.echo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.LogCapture;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import io.vertxecho.access.AccessLog;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.UncheckedIOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
@Timeout(30)
@DisplayName("Graceful shutdown on undeploy")
class ShutdownTest {

  /**
   * On the native transport, as the server runs: there closing the listening socket closes it at once. With NIO the
   * JDK closes a listening socket registered with a selector only when that selector next runs, so a connect made
   * right after the notice could still complete (8 of 300 on a loaded machine; 0 of 300 on epoll).
   */
  @Test
  @DisplayName("stops accepting, says Server shutting down, keeps echoing, then echoes what is left and closes after the grace period")
  void drainsThenCloses() {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    try {
      assertTrue(vertx.isNativeTransportEnabled(), () -> "no native transport: " + vertx.unavailableNativeTransportCause());
      // One instance: the port closes before the notice is sent (with several, it closes when the last one stops).
      TestNode node = TestNode.start(vertx, new JsonObject().put("shutdownGraceSeconds", 2).put("instances", 1));
      int port = node.port();
      try (Wire client = Wire.connect(port)) {
        client.readLine();
        client.send("before\n");
        assertEquals("before", client.readLine());

        node.stopLater();
        assertEquals("Server shutting down", client.readLine());
        assertThrows(UncheckedIOException.class, () -> Wire.connect(port));

        client.send("during\nunfinished");
        assertEquals("during", client.readLine());
        assertEquals("unfinished", client.readToEndString());
      }
    } finally {
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("a client that leaves during the drain is not waited for")
  void clientLeavingEndsTheDrain(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject().put("shutdownGraceSeconds", 600));
    try (Wire client = Wire.connect(node.port())) {
      client.readLine();
      Future<Void> stopping = node.stopLater();
      assertEquals("Server shutting down", client.readLine());
      client.send("quit\n");
      assertEquals("Bye\n", client.readToEndString());
      stopping.await();
    }
  }

  @Test
  @DisplayName("the access log has the line of every client of the drain: one that leaves, one the grace period closes")
  void accessLogOutlivesTheDrain(Vertx vertx) {
    try (LogCapture access = LogCapture.of(AccessLog.LOGGER)) {
      TestNode node = TestNode.start(vertx, new JsonObject().put("accessLog", true).put("shutdownGraceSeconds", 1));
      try (Wire leaving = Wire.connect(node.port()); Wire staying = Wire.connect(node.port())) {
        leaving.readLine();
        staying.readLine();
        Future<Void> stopping = node.stopLater();
        assertEquals("Server shutting down", leaving.readLine());
        assertEquals("Server shutting down", staying.readLine());
        leaving.send("quit\n");
        assertEquals("Bye\n", leaving.readToEndString());
        assertEquals("", staying.readToEndString());
        // The stats, which feed the access log, stop only after the instances' last disconnected events.
        stopping.await();
      }
      List<String> reasons = access.messages().stream().map(line -> line.substring(line.lastIndexOf(' ') + 1)).sorted().toList();
      assertEquals(List.of("reason=quit", "reason=shutdown"), reasons, () -> "access log: " + access.messages());
    }
  }
}
