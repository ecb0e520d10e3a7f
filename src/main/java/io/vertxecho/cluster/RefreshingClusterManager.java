package io.vertxecho.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertxecho.internal.ClusterSubscriptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * vertx-hazelcast's cluster manager, with this node's view of who subscribes to each address read again every
 * {@link #REFRESH_MILLIS}. Vert.x keeps, per address this node sends or publishes to, the nodes that subscribe, and
 * updates that list only when Hazelcast reports a change of that address's entries in {@code __vertx.subs}. During a
 * partition each side removes the other side's entries and the lists follow; when the partition heals, Hazelcast merges
 * the maps and the merging side puts its own entries back, but a merged entry that is already there raises no event,
 * and events are sent fire-and-forget: a node could go on publishing only to its own side, for good (a bridge client
 * on node1 stopped hearing node3's connection events after a heal while summaries, whose consumer the stats verticle
 * registers again, still arrived). Reading the entries again bounds that to one period, for every address, the
 * user's too.
 *
 * <p>The same period puts back this node's own entries when the map lost them while the node still subscribes. After
 * a heal, another member may act late on the removal of this node's old member (the node id outlives a merge) and
 * take the node's current entries out of the map after the node put them back; vertx-hazelcast puts them again only on
 * this node's own membership events, so every other node would stop sending to it for good. The node keeps its own
 * list for this (vertx-hazelcast's is private), and an entry removed while it is put back is removed again.
 *
 * <p>A refresh costs, on a worker thread, one check per subscription of this node, one read of the map's keys and one
 * read per address this node sends to.
 */
final class RefreshingClusterManager extends HazelcastClusterManager {

  /** The longest a node's list of subscribers stays behind the cluster's after a partition heals or an event is lost. */
  static final long REFRESH_MILLIS = 5000;
  private static final Logger log = LoggerFactory.getLogger(RefreshingClusterManager.class);

  private final AtomicBoolean refreshing = new AtomicBoolean();
  /** This node's cluster-wide subscriptions: added before vertx-hazelcast puts them, removed before it removes them. */
  private final Set<Subscription> own = ConcurrentHashMap.newKeySet();
  private volatile RegistrationListener listener;
  private volatile Vertx vertx;
  private volatile long timer = -1;

  /** Over a member the node started. */
  RefreshingClusterManager(HazelcastInstance hazelcast) {
    super(hazelcast);
  }

  /** Starting its own member from {@code hazelcast} when Vert.x joins (the tests' nodes in one JVM). */
  RefreshingClusterManager(Config hazelcast) {
    super(hazelcast);
  }

  @Override
  public void init(Vertx vertx) {
    this.vertx = vertx;
    super.init(vertx);
  }

  @Override
  public void registrationListener(RegistrationListener listener) {
    this.listener = listener;
    super.registrationListener(listener);
  }

  @Override
  public void join(Completable<Void> promise) {
    super.join((joined, failure) -> {
      if (failure == null) {
        timer = vertx.setPeriodic(REFRESH_MILLIS, id -> refresh());
      }
      promise.complete(joined, failure);
    });
  }

  @Override
  public void leave(Completable<Void> promise) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    super.leave(promise);
  }

  @Override
  public void addRegistration(String address, RegistrationInfo registration, Completable<Void> promise) {
    if (!registration.localOnly()) {
      own.add(new Subscription(address, registration));
    }
    super.addRegistration(address, registration, promise);
  }

  @Override
  public void removeRegistration(String address, RegistrationInfo registration, Completable<Void> promise) {
    own.remove(new Subscription(address, registration));
    super.removeRegistration(address, registration, promise);
  }

  /** One refresh at a time: a slow Hazelcast (a member suspected, not yet dropped) does not pile reads up. */
  private void refresh() {
    if (listener == null || !refreshing.compareAndSet(false, true)) {
      return;
    }
    vertx.executeBlocking(() -> {
        ClusterSubscriptions subscriptions = new ClusterSubscriptions(getHazelcastInstance());
        putBackLost(subscriptions);
        return subscriptions.addresses();
      }, false)
      .compose(addresses -> Future.all(addresses.stream().filter(listener::wantsUpdatesFor).map(this::reread).toList()))
      .onComplete((done, failure) -> {
        refreshing.set(false);
        if (failure != null && isActive()) {
          log.debug("Reading the event-bus subscriptions again failed: {}", failure.toString());
        }
      });
  }

  /**
   * Puts back each of this node's subscriptions the map lacks. One removed meanwhile (its removal from {@link #own}
   * comes before vertx-hazelcast's from the map) is taken out again, so a consumer that is gone is not brought back.
   */
  private void putBackLost(ClusterSubscriptions subscriptions) {
    int putBack = 0;
    for (Subscription subscription : own) {
      if (!subscriptions.holds(subscription.address(), subscription.registration())) {
        subscriptions.put(subscription.address(), subscription.registration());
        if (own.contains(subscription)) {
          putBack++;
        } else {
          subscriptions.remove(subscription.address(), subscription.registration());
        }
      }
    }
    if (putBack > 0) {
      log.info("Put back {} of this node's event-bus subscriptions that the cluster had dropped while the node held them", putBack);
    }
  }

  /** Hands Vert.x the address's subscribers as the map holds them now, as an event from Hazelcast would. */
  private Future<Void> reread(String address) {
    Promise<List<RegistrationInfo>> registrations = Promise.promise();
    getRegistrations(address, registrations);
    return registrations.future()
      .map(current -> {
        listener.registrationsUpdated(new RegistrationUpdateEvent(address, current));
        return null;
      });
  }

  /** One cluster-wide consumer of this node. */
  private record Subscription(String address, RegistrationInfo registration) {
  }
}
