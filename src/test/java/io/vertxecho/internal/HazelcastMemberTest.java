package io.vertxecho.internal;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
@DisplayName("A Hazelcast member the node starts itself")
class HazelcastMemberTest {

  @Test
  @DisplayName("vertx-hazelcast's cluster manager takes it over with the node id it was given (breaks if the attribute's name changes)")
  void clusterManagerTakesTheMember() throws Exception {
    Config config = new Config().setClusterName("member-test-" + UUID.randomUUID())
      .setProperty("hazelcast.logging.type", "slf4j")
      .setProperty("hazelcast.phone.home.enabled", "false")
      .setProperty("hazelcast.wait.seconds.before.join", "0")
      .setProperty("hazelcast.local.localAddress", "127.0.0.1")
      .setProperty("hazelcast.socket.bind.any", "false");
    config.getNetworkConfig().setPort(0).setPortAutoIncrement(false);
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:1");

    HazelcastInstance member = HazelcastMember.start(config);
    try {
      String nodeId = member.getCluster().getLocalMember().getAttribute(HazelcastMember.NODE_ID_ATTRIBUTE);
      assertNotNull(nodeId);
      HazelcastClusterManager clusterManager = new HazelcastClusterManager(member);
      Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1")))
        .withClusterManager(clusterManager)
        .buildClustered().await(60, TimeUnit.SECONDS);
      try {
        assertEquals(nodeId, clusterManager.getNodeId());
      } finally {
        vertx.close().await(60, TimeUnit.SECONDS);
      }
    } finally {
      member.shutdown();
    }
  }
}
