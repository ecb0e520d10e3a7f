package io.vertxecho.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.internal.VertxInternals;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Three nodes of the built jar in their own processes: one is killed with SIGKILL, the survivors notice and keep echoing. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterKillIT {

  private static final Logger log = LoggerFactory.getLogger(ClusterKillIT.class);

  /** One node process and its ports. */
  private record NodeProcess(Process process, int echoPort, int httpPort) {
  }

  private final String clusterName = "echo-it-" + UUID.randomUUID();
  private final List<NodeProcess> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() {
    nodes.forEach(node -> node.process().destroyForcibly());
  }

  @Test
  @DisplayName("After kill -9 of one node of three, both survivors drop it from their view and keep echoing")
  void killedNodeLeavesTheSurvivorsViews(Vertx client) throws Exception {
    assumeTrue(System.getProperty("it.jar") != null, "needs the built jar: run by failsafe (mvn verify)");
    for (int i = 0; i < 3; i++) {
      nodes.add(startNode(i));
    }
    HttpClient http = client.createHttpClient();
    List<NetSocket> connections = new ArrayList<>();
    for (NodeProcess node : nodes) {
      awaitStats(http, node, "the cluster of 3 to form", stats -> nodeCount(stats) == 3);
      connections.add(connect(client, node));
    }
    for (NodeProcess node : nodes) {
      awaitStats(http, node, "3 active connections", stats -> nodeCount(stats) == 3 && clusterActive(stats) == 3);
    }

    long killedAt = System.nanoTime();
    nodes.get(0).process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);

    for (NodeProcess survivor : nodes.subList(1, 3)) {
      awaitStats(http, survivor, "the killed node to leave the view",
        stats -> nodeCount(stats) == 2 && clusterActive(stats) == 2);
    }
    log.info("Both survivors dropped the killed node {} ms after kill -9",
      TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
    for (int i = 1; i < 3; i++) {
      assertEquals("still here", echo(connections.get(i), "still here"));
      assertEquals("new client", echo(connect(client, nodes.get(i)), "new client"));
    }
  }

  private NodeProcess startNode(int index) throws IOException {
    int echoPort = freePort();
    int httpPort = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(System.getProperty("it.jvm.flags").trim().split("\\s+")));
    command.addAll(List.of(
      "-Decho.host=127.0.0.1", "-Decho.port=" + echoPort,
      "-Decho.http.host=127.0.0.1", "-Decho.http.port=" + httpPort,
      "-Decho.instances=2", "-Decho.shutdownGraceSeconds=0", "-Decho.cluster.name=" + clusterName,
      "-jar", new File(System.getProperty("it.jar")).getAbsolutePath(), "-cluster"));
    Path logs = Files.createDirectories(Path.of("target", "it-logs"));
    // An empty working directory: no conf/config.json or config/logback.xml from the repository.
    Path workDir = Files.createDirectories(Path.of("target", "it-work", "node" + index));
    Process process = new ProcessBuilder(command)
      .directory(workDir.toFile())
      .redirectErrorStream(true)
      .redirectOutput(logs.resolve("ClusterKillIT-node" + index + ".log").toFile())
      .start();
    return new NodeProcess(process, echoPort, httpPort);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static NetSocket connect(Vertx client, NodeProcess node) throws Exception {
    Promise<NetSocket> greeted = Promise.promise();
    VertxInternals.connect(client, client.createNetClient(), node.echoPort(), "127.0.0.1",
        socket -> socket.handler(greeting -> greeted.tryComplete(socket)))
      .onFailure(greeted::tryFail);
    return greeted.future().await(10, TimeUnit.SECONDS);
  }

  /** Sends one line and returns the line echoed back. */
  private static String echo(NetSocket socket, String line) throws Exception {
    Promise<String> echoed = Promise.promise();
    Buffer received = Buffer.buffer();
    socket.handler(data -> {
      received.appendBuffer(data);
      String text = received.toString();
      if (text.endsWith("\n")) {
        echoed.tryComplete(text.strip());
      }
    });
    socket.write(line + "\n");
    return echoed.future().await(10, TimeUnit.SECONDS);
  }

  private static JsonObject awaitStats(HttpClient http, NodeProcess node, String what, Predicate<JsonObject> condition)
    throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    Object last = null;
    while (System.nanoTime() < deadline) {
      if (!node.process().isAlive()) {
        fail("Node on port " + node.echoPort() + " exited with " + node.process().exitValue() + "; see target/it-logs");
      }
      Future<JsonObject> stats = http.request(HttpMethod.GET, node.httpPort(), "127.0.0.1", "/stats")
        .compose(request -> request.send())
        .compose(HttpClientResponse::body)
        .map(Buffer::toJsonObject);
      try {
        JsonObject snapshot = stats.await(10, TimeUnit.SECONDS);
        if (condition.test(snapshot)) {
          return snapshot;
        }
        last = snapshot;
      } catch (Exception notUpYet) {
        last = notUpYet;
      }
      Thread.sleep(200);
    }
    return fail("Timed out waiting for " + what + " on node http port " + node.httpPort() + "; last: " + last);
  }

  private static int nodeCount(JsonObject stats) {
    return stats.getJsonObject("cluster").getJsonArray("nodes").size();
  }

  private static long clusterActive(JsonObject stats) {
    return stats.getJsonObject("cluster").getLong("active");
  }
}
