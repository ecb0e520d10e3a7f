package io.vertxecho.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.EventContract;
import io.vertxecho.cluster.CSharpConsumer;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import io.vertxecho.events.Events;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.vertxecho.Programs.onPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The examples/ consumers, run as a user would, against a real node: they print real summaries and connection events. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@DisplayName("Consumers in other languages")
class ConsumersTest {

  private static final Path NODE_EXAMPLE = Path.of("examples", "node");
  /** The TCP bridge on, and the example alert verticle alerting at a client's first connection. */
  private static final JsonObject ALERTING_NODE = new JsonObject()
    .put("bridge", new JsonObject().put("tcp", new JsonObject().put("port", 0)))
    .put("verticles", new JsonArray().add(new JsonObject().put("name", "conf/verticles/reconnect-alerts.groovy")
      .put("config", new JsonObject().put("maxConnects", 0).put("windowSeconds", 60))));

  @Test
  @DisplayName("the Python consumer (standard library only) prints node summaries and connection events")
  void python(Vertx vertx) throws Exception {
    assumeTrue(onPath("python3"), "Skipped: no python3 on the PATH");
    TestNode node = TestNode.start(vertx, new JsonObject());
    follow(node, List.of("python3", "examples/python/consumer.py", "--url", bridgeUrl(node)));
  }

  @Test
  @DisplayName("the Node.js consumer (ws) prints node summaries and connection events")
  void nodeJs(Vertx vertx) throws Exception {
    assumeTrue(onPath("node") && onPath("npm"), "Skipped: no node and npm on the PATH (.ci/run installs them)");
    if (!Files.isDirectory(NODE_EXAMPLE.resolve("node_modules"))) {
      // Not inheritIO: the test JVM's stdin and stdout are Surefire's channel to Maven, which a child must not share.
      Path log = Files.createDirectories(Path.of("target")).resolve("npm-ci.log");
      Process install = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(NODE_EXAMPLE.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      install.getOutputStream().close();
      assertEquals(true, install.waitFor(120, TimeUnit.SECONDS), "npm ci took over 120 s (its output: " + log + ")");
      assertEquals(0, install.exitValue(), "npm ci in " + NODE_EXAMPLE + " failed: " + Files.readString(log));
    }
    TestNode node = TestNode.start(vertx, new JsonObject());
    follow(node, List.of("node", "examples/node/consumer.js", "--url", bridgeUrl(node)));
  }

  @Test
  @DisplayName("the Python TCP-bridge consumer (standard library only) checks every message against the schema, alerts included")
  void pythonTcp(Vertx vertx) throws Exception {
    assumeTrue(onPath("python3"), "Skipped: no python3 on the PATH");
    TestNode node = TestNode.start(vertx, ALERTING_NODE);
    follow(node, List.of("python3", "examples/python-tcp/consumer.py", "--port", String.valueOf(node.tcpBridgePort())));
  }

  @Test
  @DisplayName("the C# TCP-bridge consumer (Mono, no library) checks every message against the schema, alerts included")
  void csharp(Vertx vertx) throws Exception {
    assumeTrue(CSharpConsumer.whyNot() == null, "Skipped: " + CSharpConsumer.whyNot());
    Path exe = CSharpConsumer.compile(Path.of("").toAbsolutePath());
    TestNode node = TestNode.start(vertx, ALERTING_NODE);
    follow(node, List.of("mono", exe.toString(), "--port", String.valueOf(node.tcpBridgePort()), "--schema", EventContract.SCHEMA.toString()));
  }

  /**
   * Starts the consumer, then a connection; the consumer must print a summary and that connection's events. The
   * consumers register for connection events before summaries, so their first summary shows that both registrations
   * are in place: connecting after it, no event can be missed.
   */
  private static void follow(TestNode node, List<String> command) throws Exception {
    Process consumer = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> readLines(consumer, lines), "consumer-output");
    reader.setDaemon(true);
    reader.start();
    List<String> seen = new ArrayList<>();
    try {
      JsonObject summary = await(lines, seen, consumer, "a node summary", Events.NODE_SUMMARY, body -> true);
      EventContract.assertValid("nodeSummary", summary);
      try (Wire client = Wire.connect(node.port())) {
        client.readLine();
        String remote = "127.0.0.1:" + client.socket().getLocalPort();
        JsonObject connected = await(lines, seen, consumer, "connected from " + remote, Events.CONNECTIONS,
          event -> Events.CONNECTED.equals(event.getString(Events.EVENT)) && remote.equals(event.getString(Events.REMOTE)));
        EventContract.assertValid("connected", connected);
        client.send("bye\n").readLine();
        client.send("exit\n");
        JsonObject disconnected = await(lines, seen, consumer, "disconnected from " + remote, Events.CONNECTIONS,
          event -> Events.DISCONNECTED.equals(event.getString(Events.EVENT)) && remote.equals(event.getString(Events.REMOTE)));
        EventContract.assertValid("disconnected", disconnected);
        assertEquals("quit", disconnected.getString(Events.REASON));
      }
      await(lines, seen, consumer, "a summary with 1 accepted", Events.NODE_SUMMARY, body -> body.getLong(Events.ACCEPTED) == 1);
      if (node.tcpBridgePort() >= 0) {
        // published at the connection, so perhaps printed already
        Predicate<JsonObject> ours = alert -> "127.0.0.1".equals(alert.getString("client"));
        JsonObject alert = seen.stream().map(JsonObject::new).filter(message -> Events.ALERTS.equals(message.getString("address")))
          .map(message -> message.getJsonObject("body")).filter(ours).findFirst()
          .orElseGet(() -> awaitQuietly(lines, seen, consumer, "an alert for 127.0.0.1", Events.ALERTS, ours));
        EventContract.assertValid("alert", alert);
      }
    } finally {
      consumer.destroy();
      consumer.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static JsonObject await(BlockingQueue<String> lines, List<String> seen, Process consumer, String what,
                                  String address, Predicate<JsonObject> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line == null) {
        if (!consumer.isAlive()) {
          fail("The consumer exited with " + consumer.exitValue() + " before " + what + "; it printed: " + seen);
        }
        continue;
      }
      seen.add(line);
      JsonObject message = new JsonObject(line);
      if (address.equals(message.getString("address")) && condition.test(message.getJsonObject("body"))) {
        return message.getJsonObject("body");
      }
    }
    return fail("Timed out waiting for " + what + "; the consumer printed: " + seen);
  }

  private static JsonObject awaitQuietly(BlockingQueue<String> lines, List<String> seen, Process consumer, String what,
                                         String address, Predicate<JsonObject> condition) {
    try {
      return await(lines, seen, consumer, what, address, condition);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void readLines(Process process, BlockingQueue<String> into) {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      out.lines().forEach(into::add);
    } catch (IOException ended) {
      // the process was stopped
    }
  }

  private static String bridgeUrl(TestNode node) {
    return "ws://127.0.0.1:" + node.httpPort() + "/eventbus/websocket";
  }
}
