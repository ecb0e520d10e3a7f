package io.vertxecho.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.ListenerConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertxecho.config.ConfigException;
import io.vertxecho.config.EchoConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.vertxecho.config.EchoConfig.CLUSTER_INTERFACE;
import static io.vertxecho.config.EchoConfig.CLUSTER_MEMBERS;
import static io.vertxecho.config.EchoConfig.CLUSTER_NAME;

/**
 * Builds the cluster manager a node joins with: {@code cluster/cluster.xml} (packaged as {@code cluster.xml};
 * {@code -Dvertx.hazelcast.config} replaces it) with the member list and cluster name from the echo config.
 */
public final class ClusterManagerFactory {

  /** The system property that names a Hazelcast XML config in place of the packaged cluster.xml (vertx-hazelcast's). */
  public static final String CONFIG_PROPERTY = "vertx.hazelcast.config";

  private ClusterManagerFactory() {
  }

  public static HazelcastClusterManager create(EchoConfig config) {
    return new HazelcastClusterManager(bindTo(hazelcastConfig(config.get(CLUSTER_MEMBERS), config.get(CLUSTER_NAME)), config.get(CLUSTER_INTERFACE)));
  }

  /**
   * A file named by {@code -Dvertx.hazelcast.config} must be there: vertx-hazelcast would log a warning and join with
   * the packaged cluster.xml instead. {@code classpath:} names are left to it.
   */
  public static void checkNamedConfig(String named) {
    if (named != null && !named.startsWith("classpath:") && !Files.isReadable(Path.of(named))) {
      throw new ConfigException("Invalid configuration: -D" + CONFIG_PROPERTY + "=" + named + ": no such readable file"
        + " (without it the node would join with the packaged cluster.xml)");
    }
  }

  /** Hazelcast listens on {@code networkInterface} only (e.g. 10.0.*.*), not on every address; empty keeps its default. */
  public static Config bindTo(Config hazelcast, String networkInterface) {
    if (!networkInterface.isEmpty()) {
      hazelcast.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(networkInterface);
      hazelcast.setProperty("hazelcast.socket.bind.any", "false");
    }
    return hazelcast;
  }

  /** The Hazelcast config; an empty member list or cluster name keeps the XML's. */
  public static Config hazelcastConfig(List<String> members, String clusterName) {
    String named = System.getProperty(CONFIG_PROPERTY);
    checkNamedConfig(named);
    Config hazelcast;
    try {
      hazelcast = ConfigUtil.loadConfig();
    } catch (InvalidConfigurationException e) {
      throw new ConfigException("Invalid configuration: Hazelcast config " + (named == null ? "cluster.xml" : named) + ": "
        + e.getMessage());
    }
    if (!members.isEmpty()) {
      hazelcast.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(members);
    }
    if (!clusterName.isEmpty()) {
      hazelcast.setClusterName(clusterName);
    }
    return hazelcast.addListenerConfig(new ListenerConfig(new MembershipLog()));
  }
}
