package io.vertxecho.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.config.ConfigException;
import io.vertxecho.config.ConfigLoader;
import io.vertxecho.config.EchoConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.vertxecho.config.EchoConfig.CLUSTER_MEMBERS;
import static io.vertxecho.config.EchoConfig.CLUSTER_NAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cluster settings: cluster/cluster.xml as packaged, and the members and name taken from the echo config. */
@ExtendWith(VertxExtension.class)
class ClusterConfigTest {

  @Test
  @DisplayName("The packaged cluster.xml joins over TCP-IP only, drops silent members after 10 s and logs through SLF4J")
  void packagedHazelcastConfig() {
    Config hazelcast = ClusterManagerFactory.hazelcastConfig(List.of(), "");
    JoinConfig join = hazelcast.getNetworkConfig().getJoin();
    assertEquals("vertx-echo", hazelcast.getClusterName());
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(List.of("127.0.0.1"), join.getTcpIpConfig().getMembers());
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    assertEquals("10", hazelcast.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("slf4j", hazelcast.getProperty("hazelcast.logging.type"));
  }

  @Test
  @DisplayName("-Dvertx.hazelcast.config naming a file that is not there, or not XML, stops startup (Vert.x would use cluster.xml)")
  void namedHazelcastConfigMustExist() throws Exception {
    ConfigException missing = assertThrows(ConfigException.class, () -> ClusterManagerFactory.checkNamedConfig("/nonexistent/cluster.xml"));
    assertEquals("Invalid configuration: -Dvertx.hazelcast.config=/nonexistent/cluster.xml: no such readable file"
      + " (without it the node would join with the packaged cluster.xml)", missing.getMessage());
    Path file = Files.createTempFile("hazelcast", ".xml");
    try {
      Files.writeString(file, "<hazelcast/>");
      ClusterManagerFactory.checkNamedConfig(file.toString());
      Files.writeString(file, "<hazelcast>");
      ConfigException malformed = assertThrows(ConfigException.class, () -> ClusterManagerFactory.checkNamedConfig(file.toString()));
      assertEquals("Invalid configuration: -Dvertx.hazelcast.config=" + file + ": not XML: line 1, column 12:"
        + " XML document structures must start and end within the same entity.", malformed.getMessage());
    } finally {
      Files.delete(file);
    }
    ClusterManagerFactory.checkNamedConfig("classpath:cluster.xml");
    ClusterManagerFactory.checkNamedConfig(null);
  }

  @Test
  @DisplayName("An exact cluster.interface is Hazelcast's one address, taken as given; a pattern matches the interfaces; cluster.port fixes the port")
  void addressAndPort() {
    Config exact = ClusterManagerFactory.bindTo(ClusterManagerFactory.hazelcastConfig(List.of(), ""), "127.0.0.20", 0);
    assertEquals("127.0.0.20", exact.getProperty("hazelcast.local.localAddress"));
    assertEquals("false", exact.getProperty("hazelcast.socket.bind.any"));
    assertFalse(exact.getNetworkConfig().getInterfaces().isEnabled());
    assertEquals(0, exact.getNetworkConfig().getPort());
    assertFalse(exact.getNetworkConfig().isPortAutoIncrement());

    Config pattern = ClusterManagerFactory.bindTo(ClusterManagerFactory.hazelcastConfig(List.of(), ""), "10.0.*.*", -1);
    assertEquals(List.of("10.0.*.*"), List.copyOf(pattern.getNetworkConfig().getInterfaces().getInterfaces()));
    assertTrue(pattern.getNetworkConfig().getInterfaces().isEnabled());
    assertEquals("false", pattern.getProperty("hazelcast.socket.bind.any"));
    assertNull(pattern.getProperty("hazelcast.local.localAddress"));
    assertEquals(5701, pattern.getNetworkConfig().getPort());
    assertTrue(pattern.getNetworkConfig().isPortAutoIncrement());

    Config unset = ClusterManagerFactory.bindTo(ClusterManagerFactory.hazelcastConfig(List.of(), ""), "", -1);
    assertFalse(unset.getNetworkConfig().getInterfaces().isEnabled());
    assertNull(unset.getProperty("hazelcast.local.localAddress"));
  }

  @Test
  @DisplayName("ECHO_CLUSTER_MEMBERS and ECHO_CLUSTER_NAME replace cluster.xml's member list and name")
  void membersAndNameFromTheEnvironment(Vertx vertx) throws Exception {
    Map<String, String> env = Map.of("ECHO_CLUSTER_MEMBERS", "node1, node2:5702,node3", "ECHO_CLUSTER_NAME", "shop");
    EchoConfig config = new ConfigLoader(new JsonObject(), env, new Properties()).load();

    Config hazelcast = ClusterManagerFactory.hazelcastConfig(config.get(CLUSTER_MEMBERS), config.get(CLUSTER_NAME));

    assertEquals(List.of("node1", "node2:5702", "node3"), hazelcast.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
    assertEquals("shop", hazelcast.getClusterName());
  }

  @ParameterizedTest(name = "ECHO_CLUSTER_MEMBERS={0}")
  @ValueSource(strings = {"node 1", "a,,b", "node1:65536"})
  @DisplayName("A malformed member list stops startup with a message naming the variable and what is allowed")
  void malformedMembersAreRejected(String members, Vertx vertx) {
    ConfigLoader loader = new ConfigLoader(new JsonObject(), Map.of("ECHO_CLUSTER_MEMBERS", members), new Properties());

    ConfigException failure = assertThrows(ConfigException.class, loader::load);

    assertEquals("Invalid configuration: cluster.members = \"" + members + "\" (from environment variable ECHO_CLUSTER_MEMBERS);"
      + " expected a list of host or host:port entries (a JSON array, or comma-separated), e.g. node1,node2:5701",
      failure.getMessage());
  }
}
