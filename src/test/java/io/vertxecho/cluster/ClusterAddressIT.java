package io.vertxecho.cluster;

import io.vertx.core.json.JsonObject;
import io.vertxecho.HttpGet;
import io.vertxecho.JarProcess;
import io.vertxecho.ListeningSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Clustered nodes of the built jar on one host, each on its own loopback address, and a member that cannot start. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@DisplayName("-cluster nodes of the built jar on loopback aliases")
class ClusterAddressIT {

  /** e.g. "Joined cluster c as member [127.0.0.3]:40123 (2 members), event bus 127.0.0.3:41234". */
  private static final Pattern JOINED =
    Pattern.compile("Joined cluster \\S+ as member \\[([^]]+)]:(\\d+) \\(\\d+ members?\\), event bus (\\S+):(\\d+)");

  private final String clusterName = "echo-aliases-" + UUID.randomUUID();
  private final List<JarProcess> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() {
    nodes.forEach(JarProcess::close);
  }

  @Test
  @DisplayName("three nodes on 127.0.0.2, .3 and .4, given cluster.interface and no -D flag, form one cluster, each listening on its own address only")
  void nodesOnLoopbackAliases() {
    assumeTrue(System.getProperty("it.jar") != null, "needs the built jar: run by failsafe (mvn verify)");
    List<String> addresses = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");
    List<Matcher> joined = new ArrayList<>();
    for (String address : addresses) {
      // The first node joins nothing (nothing listens on port 1); the others join it at the port it logged.
      String members = joined.isEmpty() ? address + ":1" : addresses.get(0) + ":" + joined.get(0).group(2);
      JarProcess node = JarProcess.startListening(Map.of(
        "ECHO_HOST", address, "ECHO_HTTP_HOST", address, "ECHO_INSTANCES", "1", "ECHO_CLUSTER_NAME", clusterName,
        "ECHO_CLUSTER_INTERFACE", address, "ECHO_CLUSTER_PORT", "0", "ECHO_CLUSTER_MEMBERS", members), "-cluster");
      nodes.add(node);
      Matcher line = JOINED.matcher(node.output());
      assertTrue(line.find(), () -> "no 'Joined cluster' line with the event bus:\n" + node.output());
      assertEquals(address, line.group(1), "Hazelcast's address");
      assertEquals(address, line.group(3), "the event bus's address");
      joined.add(line);
    }

    HttpGet http = new HttpGet();
    for (int i = 0; i < nodes.size(); i++) {
      String address = addresses.get(i);
      JarProcess node = nodes.get(i);
      await("node on " + address + " to see 3 nodes").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
        .until(() -> http.json(address, node.httpPort(), "/stats").getJsonObject("cluster").getJsonArray("nodes").size() == 3);
    }
    for (int i = 0; i < nodes.size(); i++) {
      String address = addresses.get(i);
      Set<String> listening = ListeningSockets.of(nodes.get(i).pid());
      for (String port : List.of(joined.get(i).group(2), joined.get(i).group(4),
        String.valueOf(nodes.get(i).echoPort()), String.valueOf(nodes.get(i).httpPort()))) {
        assertTrue(listening.contains(address + ":" + port), () -> address + ":" + port + " not in " + listening);
      }
      assertTrue(listening.stream().allMatch(socket -> socket.startsWith(address + ":")),
        () -> "the node on " + address + " listens elsewhere too: " + listening);
      JsonObject stats = http.json(address, nodes.get(i).httpPort(), "/stats");
      assertEquals(3, stats.getJsonObject("cluster").getJsonArray("nodes").size(), stats::encodePrettily);
    }
  }

  @Test
  @DisplayName("a cluster.interface address that is not this machine's stops startup with one line naming the keys and the cause, exit 78")
  void addressNotLocal() throws Exception {
    String address = notLocal("203.0.113.1", "198.51.100.1", "192.0.2.254");
    assertRefused(Map.of("ECHO_CLUSTER_INTERFACE", address), List.of(),
      "Cannot start the cluster member on " + address + ":5701-5720 (cluster.interface, cluster.port): Cannot assign requested address");
  }

  @Test
  @DisplayName("a cluster.interface pattern that matches no interface stops startup with one line saying so, exit 78")
  void patternMatchesNothing() throws Exception {
    String pattern = notLocal("203.0.113.1", "198.51.100.1", "192.0.2.254").replaceFirst("\\.1$|\\.254$", ".*");
    assertRefused(Map.of("ECHO_CLUSTER_INTERFACE", pattern), List.of(), "Cannot start the cluster member on " + pattern
      + ":5701-5720 (cluster.interface, cluster.port): no network interface of this machine has an address that matches " + pattern);
  }

  @Test
  @DisplayName("a cluster.port another process holds stops startup with one line naming the address, the keys and the cause, exit 78")
  void portTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.5"))) {
      assertRefused(Map.of("ECHO_CLUSTER_INTERFACE", "127.0.0.5", "ECHO_CLUSTER_PORT", String.valueOf(taken.getLocalPort())),
        List.of(), "Cannot start the cluster member on 127.0.0.5:" + taken.getLocalPort()
          + " (cluster.interface, cluster.port): Address already in use");
    }
  }

  @Test
  @DisplayName("a Hazelcast config that is not XML stops startup with one line naming it, the line and column, exit 78")
  void malformedHazelcastConfig() throws Exception {
    Path xml = Files.createTempFile("cluster", ".xml");
    try {
      Files.writeString(xml, "<hazelcast><network>\n");
      assertRefused(Map.of(), List.of("-Dvertx.hazelcast.config=" + xml),
        "Invalid configuration: -Dvertx.hazelcast.config=" + xml + ": not XML: line 2, column 1:"
          + " XML document structures must start and end within the same entity.");
    } finally {
      Files.delete(xml);
    }
  }

  private void assertRefused(Map<String, String> env, List<String> jvmOptions, String line) {
    assumeTrue(System.getProperty("it.jar") != null, "needs the built jar: run by failsafe (mvn verify)");
    JarProcess node = JarProcess.startOnRandomPorts(env, jvmOptions, "-cluster");
    nodes.add(node);
    assertEquals(78, node.awaitExit(90), node.output());
    assertTrue(node.output().strip().endsWith(line), node.output());
    assertEquals(1, node.output().strip().lines().count(), node.output());
  }

  /** The first of {@code candidates} (documentation addresses) that no interface of this machine has. */
  private static String notLocal(String... candidates) throws SocketException {
    List<String> local = new ArrayList<>();
    for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      network.inetAddresses().forEach(address -> local.add(address.getHostAddress()));
    }
    for (String candidate : candidates) {
      String prefix = candidate.substring(0, candidate.lastIndexOf('.') + 1);
      if (local.stream().noneMatch(address -> address.startsWith(prefix))) {
        return candidate;
      }
    }
    throw new IllegalStateException("this machine has an address in each of " + List.of(candidates) + ": " + local);
  }
}
