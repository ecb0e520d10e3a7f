package io.vertxecho.internal;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import java.util.UUID;

/**
 * Starts a Hazelcast member that vertx-hazelcast's cluster manager takes over ({@code new
 * HazelcastClusterManager(instance)}): the node starts its member itself, before Vert.x, so that a member that cannot
 * start is reported by the node in one line rather than through Vert.x's failed join. Given a running member,
 * vertx-hazelcast reads the Vert.x node id from a member attribute whose name it keeps private.
 * Waits for: a public constant (or setter) for vertx-hazelcast's node id attribute.
 */
public final class HazelcastMember {

  /** vertx-hazelcast's {@code HazelcastClusterManager.NODE_ID_ATTRIBUTE}. */
  static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private HazelcastMember() {
  }

  /** Starts a member on {@code config} with a new Vert.x node id; blocks for Hazelcast's startup (seconds). */
  public static HazelcastInstance start(Config config) {
    config.getMemberAttributeConfig().setAttribute(NODE_ID_ATTRIBUTE, UUID.randomUUID().toString());
    return Hazelcast.newHazelcastInstance(config);
  }
}
