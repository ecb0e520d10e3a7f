package io.vertxecho.echo;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.HttpGet;
import io.vertxecho.LogCapture;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import io.vertxecho.access.AccessLog;
import io.vertxecho.events.Events;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
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
  @DisplayName("a client that half-closes during the drain closed itself: client-closed, not shutdown")
  void halfCloseDuringTheDrain(Vertx vertx) {
    try (LogCapture access = LogCapture.of(AccessLog.LOGGER)) {
      TestNode node = TestNode.start(vertx, new JsonObject().put("accessLog", true).put("shutdownGraceSeconds", 600));
      try (Wire client = Wire.connect(node.port())) {
        client.readLine();
        Future<Void> stopping = node.stopLater();
        assertEquals("Server shutting down", client.readLine());
        client.shutdownOutput();
        assertEquals("", client.readToEndString());
        stopping.await();
      }
      assertEquals(List.of("reason=client-closed"), access.messages().stream().map(line -> line.substring(line.lastIndexOf(' ') + 1)).toList(),
        () -> "access log: " + access.messages());
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

  @Test
  @DisplayName("stops in order: the echo instances drain, then the stats with every final count, then HTTP, which says 503 meanwhile")
  void stopsInOrder(Vertx vertx) {
    Logger app = (Logger) LoggerFactory.getLogger("io.vertxecho");
    Level level = app.getLevel();
    app.setLevel(Level.DEBUG);
    List<JsonObject> finalSummaries = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>localConsumer(Events.NODE_SUMMARY, summary -> {
      if (summary.body().getBoolean(Events.FINAL)) {
        finalSummaries.add(summary.body());
      }
    }).completion().await();
    try (LogCapture log = LogCapture.of("io.vertxecho")) {
      TestNode node = TestNode.start(vertx, new JsonObject().put("shutdownGraceSeconds", 600));
      HttpGet http = new HttpGet();
      try (Wire client = Wire.connect(node.port())) {
        client.readLine();
        Future<Void> stopping = node.stopLater();
        assertEquals("Server shutting down", client.readLine());
        assertEquals(503, http.get(node.httpPort(), "/ready").statusCode());
        assertEquals(1, http.json(node.httpPort(), "/stats").getJsonObject(Events.NODE).getLong(Events.ACTIVE));
        client.send("quit\n");
        assertEquals("Bye\n", client.readToEndString());
        stopping.await();
      }
      List<String> stages = log.messages().stream().map(ShutdownTest::stopStage).filter(stage -> stage != null).toList();
      assertEquals(List.of("echo", "echo", "stats", "http"), stages, () -> "log: " + log.messages());
      await().atMost(Duration.ofSeconds(10)).until(() -> !finalSummaries.isEmpty());
      assertEquals(1, finalSummaries.size(), () -> "final node summaries: " + finalSummaries);
      JsonObject last = finalSummaries.get(0);
      assertEquals(List.of(0L, 1L, 1L), List.of(last.getLong(Events.ACTIVE), last.getLong(Events.ACCEPTED),
        last.getJsonObject(Events.CLOSED).getLong("quit")), last::encodePrettily);
    } finally {
      app.setLevel(level);
    }
  }

  /** Which part of the node a log line says has stopped, or null. */
  private static String stopStage(String line) {
    if (line.startsWith("Instance ") && line.contains(" drained:")) {
      return "echo";
    }
    return line.startsWith("Stats stopped:") ? "stats" : line.startsWith("HTTP endpoints stop") ? "http" : null;
  }
}
