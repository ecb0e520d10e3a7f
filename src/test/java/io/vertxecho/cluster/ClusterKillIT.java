package io.vertxecho.cluster;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.HttpGet;
import io.vertxecho.JarProcess;
import io.vertxecho.internal.ClientTransport;
import io.vertxecho.internal.VertxInternals;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Three nodes of the built jar in their own processes: one is killed with SIGKILL, the survivors notice and keep echoing. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterKillIT {

  private static final Logger log = LoggerFactory.getLogger(ClusterKillIT.class);

  /** The node's Hazelcast address in its startup line, e.g. "Joined cluster c as member [127.0.0.1]:5704 (1 member)". */
  private static final Pattern MEMBER = Pattern.compile("Joined cluster \\S+ as member \\[([^]]+)]:(\\d+)");

  private final String clusterName = "echo-it-" + UUID.randomUUID();
  private final List<JarProcess> nodes = new ArrayList<>();
  private final List<JarProcess> killed = new ArrayList<>();

  @AfterEach
  void stopNodes() {
    nodes.forEach(JarProcess::close);
  }

  @Test
  @DisplayName("After kill -9 of one node of three, both survivors drop it from their view, log it lost at WARN, and keep echoing")
  void killedNodeLeavesTheSurvivorsViews() throws Exception {
    assumeTrue(System.getProperty("it.jar") != null, "needs the built jar: run by failsafe (mvn verify)");
    // the echo connections' own Vert.x: VertxInternals.connect needs one from ClientTransport.vertx
    Vertx client = ClientTransport.vertx(new VertxOptions());
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(startNode());
      }
      HttpGet http = new HttpGet();
      // Held for the test's life: Vert.x closes a NetClient, and its sockets, once it is garbage.
      NetClient netClient = client.createNetClient();
      List<NetSocket> connections = new ArrayList<>();
      for (JarProcess node : nodes) {
        awaitStats(http, node, "the cluster of 3 to form", stats -> nodeCount(stats) == 3);
        connections.add(connect(client, netClient, node));
        // started with plain java -jar: the jar's manifest opens what Hazelcast asks for, or it warns
        assertFalse(node.output().contains("without proper access to required Java packages"), node.output());
      }
      for (JarProcess node : nodes) {
        awaitStats(http, node, "3 active connections", stats -> nodeCount(stats) == 3 && clusterActive(stats) == 3);
      }

      long killedAt = System.nanoTime();
      killed.add(nodes.get(0));
      nodes.get(0).kill();

      for (JarProcess survivor : nodes.subList(1, 3)) {
        awaitStats(http, survivor, "the killed node to leave the view",
          stats -> nodeCount(stats) == 2 && clusterActive(stats) == 2);
      }
      log.info("Both survivors dropped the killed node {} ms after kill -9",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
      String lost = " WARN  [";
      for (JarProcess survivor : nodes.subList(1, 3)) {
        survivor.awaitOutput("Cluster member lost: 127.0.0.1:" + killed.get(0).echoPort() + " (node ");
        assertTrue(lineWith(survivor, "Cluster member lost: ").contains(lost), survivor.output());
      }
      for (int i = 1; i < 3; i++) {
        assertEquals("still here", echo(connections.get(i), "still here"));
        assertEquals("new client", echo(connect(client, netClient, nodes.get(i)), "new client"));
      }
    } finally {
      client.close().await();
    }
  }

  @Test
  @DisplayName("A node stopped with SIGTERM is logged by the other as left, at INFO, with its address and the members left")
  void stoppedNodeIsLoggedAsLeft() {
    assumeTrue(System.getProperty("it.jar") != null, "needs the built jar: run by failsafe (mvn verify)");
    nodes.add(startNode());
    nodes.add(startNode());
    HttpGet http = new HttpGet();
    awaitStats(http, nodes.get(1), "the cluster of 2 to form", stats -> nodeCount(stats) == 2);
    JarProcess stopped = nodes.get(1);
    killed.add(stopped);
    stopped.terminate();
    stopped.awaitExit(60);
    JarProcess survivor = nodes.get(0);
    survivor.awaitOutput("Cluster member left: 127.0.0.1:" + stopped.echoPort() + " (node ");
    assertTrue(lineWith(survivor, "Cluster member left: ").contains(" INFO  [")
      && lineWith(survivor, "Cluster member left: ").endsWith(", 1 member"), survivor.output());
    assertFalse(survivor.output().contains("Cluster member lost"), survivor.output());
  }

  /** The first line of the node's output that contains {@code text}. */
  private static String lineWith(JarProcess node, String text) {
    return node.output().lines().filter(line -> line.contains(text)).findFirst().orElseThrow();
  }

  /**
   * A clustered node on loopback, random ports, in an empty working directory (no repository config). Nodes after
   * the first join it at the Hazelcast address it logged: a member listed without a port is looked for on 5701 to
   * 5703 only, where another process's members may answer.
   */
  private JarProcess startNode() {
    Map<String, String> env = new HashMap<>(Map.of(
      "ECHO_HOST", "127.0.0.1", "ECHO_HTTP_HOST", "127.0.0.1", "ECHO_INSTANCES", "2",
      "ECHO_SHUTDOWN_GRACE_SECONDS", "0", "ECHO_CLUSTER_NAME", clusterName));
    if (nodes.isEmpty()) {
      env.put("ECHO_CLUSTER_MEMBERS", "127.0.0.1:1");  // nothing listens there: the first node starts the cluster alone
    } else {
      Matcher member = MEMBER.matcher(nodes.get(0).output());
      assertTrue(member.find(), () -> "no 'Joined cluster' line:\n" + nodes.get(0).output());
      env.put("ECHO_CLUSTER_MEMBERS", member.group(1) + ":" + member.group(2));
    }
    return JarProcess.startListening(env, "-cluster");
  }

  private static NetSocket connect(Vertx client, NetClient netClient, JarProcess node) throws Exception {
    Promise<NetSocket> greeted = Promise.promise();
    VertxInternals.connect(client, netClient, node.echoPort(), "127.0.0.1",
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

  /** Polls a node's /stats until the condition holds, failing at once if any node process died. */
  private JsonObject awaitStats(HttpGet http, JarProcess node, String what, Predicate<JsonObject> condition) {
    AtomicReference<Object> last = new AtomicReference<>();
    await(what + " on node http port " + node.httpPort()).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
      .untilAsserted(() -> {
        nodes.stream().filter(each -> !killed.contains(each) && !each.isAlive()).findFirst().ifPresent(dead ->
          fail("Node on port " + dead.echoPort() + " exited:\n" + dead.output()));
        try {
          last.set(http.json(node.httpPort(), "/stats"));
        } catch (RuntimeException notUpYet) {
          last.set(notUpYet);
        }
        assertTrue(last.get() instanceof JsonObject stats && condition.test(stats), () -> "last: " + last.get());
      });
    return (JsonObject) last.get();
  }

  private static int nodeCount(JsonObject stats) {
    return stats.getJsonObject("cluster").getJsonArray("nodes").size();
  }

  private static long clusterActive(JsonObject stats) {
    return stats.getJsonObject("cluster").getLong("active");
  }
}
