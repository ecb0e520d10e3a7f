package io.vertxecho.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.ListenerConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertxecho.config.EchoConfig;

import java.util.List;

/**
 * Builds the cluster manager a node joins with: {@code cluster/cluster.xml} (packaged as {@code cluster.xml};
 * {@code -Dvertx.hazelcast.config} replaces it) with the member list and cluster name from the echo config.
 */
public final class ClusterManagerFactory {

  private ClusterManagerFactory() {
  }

  public static HazelcastClusterManager create(EchoConfig config) {
    return new HazelcastClusterManager(bindTo(hazelcastConfig(config.clusterMembers(), config.clusterName()), config.clusterInterface()));
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
    Config hazelcast = ConfigUtil.loadConfig();
    if (!members.isEmpty()) {
      hazelcast.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(members);
    }
    if (!clusterName.isEmpty()) {
      hazelcast.setClusterName(clusterName);
    }
    return hazelcast.addListenerConfig(new ListenerConfig(new MembershipLog()));
  }
}
