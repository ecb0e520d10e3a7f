package io.vertxecho.internal;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.multimap.MultiMap;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.spi.cluster.hazelcast.impl.HazelcastRegistrationInfo;

import java.util.List;
import java.util.Set;

/**
 * vertx-hazelcast's map of the cluster's event-bus subscriptions ({@code __vertx.subs}: address to the nodes'
 * registrations, as vertx-hazelcast's own {@code HazelcastRegistrationInfo} values), read and written as
 * vertx-hazelcast does. A node's entries can go missing while it holds them (a peer acting late on the removal of that
 * node's old member after a heal), and vertx-hazelcast puts them back only on the node's own membership events, from a
 * copy it keeps private; the node's cluster manager puts them back itself through this. Every call blocks on Hazelcast.
 * Waits for: vertx-hazelcast putting back a node's own subscriptions whenever the map lost them.
 */
public final class ClusterSubscriptions {

  /** The multimap's name in vertx-hazelcast's default-cluster.xml and in {@code cluster/cluster.xml}. */
  private static final String MAP = "__vertx.subs";

  private final MultiMap<String, HazelcastRegistrationInfo> map;

  public ClusterSubscriptions(HazelcastInstance hazelcast) {
    this.map = hazelcast.getMultiMap(MAP);
  }

  /** Every address some node subscribes to. */
  public Set<String> addresses() {
    return map.keySet();
  }

  /** The registrations of {@code address}, every node's. */
  public List<RegistrationInfo> of(String address) {
    return map.get(address).stream().map(HazelcastRegistrationInfo::unwrap).toList();
  }

  public boolean holds(String address, RegistrationInfo registration) {
    return map.containsEntry(address, new HazelcastRegistrationInfo(registration));
  }

  public void put(String address, RegistrationInfo registration) {
    map.put(address, new HazelcastRegistrationInfo(registration));
  }

  public void remove(String address, RegistrationInfo registration) {
    map.remove(address, new HazelcastRegistrationInfo(registration));
  }
}
