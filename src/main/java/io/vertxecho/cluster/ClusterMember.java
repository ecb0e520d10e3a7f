package io.vertxecho.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertxecho.config.ConfigException;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.internal.HazelcastMember;

import static io.vertxecho.config.EchoConfig.CLUSTER_INTERFACE;
import static io.vertxecho.config.EchoConfig.CLUSTER_MEMBERS;
import static io.vertxecho.config.EchoConfig.CLUSTER_NAME;
import static io.vertxecho.config.EchoConfig.CLUSTER_PORT;

/**
 * This node's Hazelcast member, started by the node before Vert.x: a member that cannot start (an address that is not
 * this machine's, a port taken) stops the node with one line naming the keys, and the clustered event bus binds to and
 * advertises the address the member has. Vert.x joins through a cluster manager over it, which leaves the member to
 * its owner: {@link #leave} ends it once Vert.x has closed.
 */
public final class ClusterMember {

  private final HazelcastInstance hazelcast;
  private final HazelcastClusterManager clusterManager;
  private final boolean publicAddress;

  private ClusterMember(HazelcastInstance hazelcast, boolean publicAddress) {
    this.hazelcast = hazelcast;
    this.clusterManager = new RefreshingClusterManager(hazelcast);
    this.publicAddress = publicAddress;
  }

  /**
   * Starts the member from the Hazelcast config and the {@code cluster.*} keys. Blocks for Hazelcast's startup
   * (seconds): call it before Vert.x starts.
   *
   * @throws ConfigException when the config cannot be read or the member cannot start, naming the keys and the cause
   */
  public static ClusterMember start(EchoConfig config) {
    Config hazelcast = ClusterManagerFactory.bindTo(
      ClusterManagerFactory.hazelcastConfig(config.get(CLUSTER_MEMBERS), config.get(CLUSTER_NAME)),
      config.get(CLUSTER_INTERFACE), config.get(CLUSTER_PORT));
    try {
      return new ClusterMember(HazelcastMember.start(hazelcast), hazelcast.getNetworkConfig().getPublicAddress() != null
        || hazelcast.getProperty("hazelcast.local.publicAddress") != null);
    } catch (RuntimeException e) {
      throw new ConfigException("Cannot start the cluster member on " + where(config, hazelcast.getNetworkConfig())
        + " (" + CLUSTER_INTERFACE + ", " + CLUSTER_PORT + "): " + cause(e, config));
    }
  }

  public HazelcastClusterManager clusterManager() {
    return clusterManager;
  }

  /**
   * The clustered event bus on the member's address: it binds to it and advertises it, unless the Hazelcast config
   * gives a public address (the member's address is then that one, maybe not this machine's: the event bus advertises
   * it and binds where Vert.x picks). {@code -cluster-host} and {@code -cluster-public-host}, applied later, still win,
   * and so does a host the launcher's {@code -options} gave.
   */
  public void placeEventBus(EventBusOptions eventBus) {
    String host = hazelcast.getCluster().getLocalMember().getAddress().getHost();
    if (eventBus.getHost() != null) {
      return;
    }
    if (publicAddress) {
      eventBus.setClusterPublicHost(host);
    } else {
      eventBus.setHost(host);
    }
  }

  /** Leaves the cluster, telling the other members: once Vert.x has closed (it no longer uses the member). */
  public void leave() {
    hazelcast.shutdown();
  }

  /** The address and port the member was to take, as the keys (or the XML) give them. */
  private static String where(EchoConfig config, NetworkConfig network) {
    String address = config.get(CLUSTER_INTERFACE).isEmpty() ? "Hazelcast's address" : config.get(CLUSTER_INTERFACE);
    int port = network.getPort();
    return address + ":" + (network.isPortAutoIncrement() && port > 0 ? port + "-" + (port + network.getPortCount() - 1) : port);
  }

  /** The first line of the deepest message, with Hazelcast's advice for its own XML replaced by the node's. */
  private static String cause(Throwable failure, EchoConfig config) {
    String message = failure.toString();
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
        message = cause.getMessage().lines().findFirst().orElse("");
      }
    }
    if (message.contains("No matching network interface")) {
      return "no network interface of this machine has an address that matches " + config.get(CLUSTER_INTERFACE);
    }
    return message;
  }
}
