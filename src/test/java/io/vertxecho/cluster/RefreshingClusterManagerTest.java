package io.vertxecho.cluster;

import com.hazelcast.config.Config;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import io.vertxecho.internal.ClusterSubscriptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static io.vertxecho.cluster.ComposeProject.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
@DisplayName("The cluster manager's refresh of event-bus subscribers")
class RefreshingClusterManagerTest {

  private static final String ADDRESS = "refresh-test";

  /**
   * A lost event: a listener in place of Vert.x's list of subscribers (set after the join, so vertx-hazelcast's event
   * path, made at the join, keeps Vert.x's own), which also drops the first update of its address it gets, as a list
   * misses an event Hazelcast never delivered or a merge never raised. Only a refresh tells it again: without one,
   * this test fails.
   */
  @Test
  @DisplayName("a subscription whose update was lost reaches the listener with the next refresh, with no change in the cluster")
  void lostUpdateIsMadeGood() throws Exception {
    RefreshingClusterManager clusterManager =
      new RefreshingClusterManager(member(List.of("127.0.0.1:1"), "refresh-test-" + UUID.randomUUID()));
    Vertx vertx = ClusterNodes.clustered(new EventBusOptions(), clusterManager);
    try {
      DroppingFirstUpdate listener = new DroppingFirstUpdate();
      clusterManager.registrationListener(listener);
      vertx.eventBus().consumer(ADDRESS, message -> { }).completion().await(30, TimeUnit.SECONDS);
      List<RegistrationInfo> heard = await("the subscription to " + ADDRESS + " after its update was dropped",
        Duration.ofMillis(4 * RefreshingClusterManager.REFRESH_MILLIS), () -> listener.last, last -> !last.isEmpty());
      assertEquals(List.of(clusterManager.getNodeId()), heard.stream().map(RegistrationInfo::nodeId).toList());
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
  }

  /**
   * A node's entries taken out of the map while it still subscribes, as another member does when it acts late on the
   * removal of that node's old member after a heal (the node id outlives the merge). Nothing tells the node: without
   * the refresh putting them back, the map stays without them and every other node stops sending to it (the compose
   * cluster's two-against-two heal saw one node deaf until its stats verticle subscribed again). A consumer the node
   * unregisters is not put back.
   */
  @Test
  @DisplayName("a node's subscription removed from the cluster while it still holds it is put back, and one it dropped is not")
  void lostOwnSubscriptionIsPutBack() throws Exception {
    String cluster = "refresh-test-" + UUID.randomUUID();
    RefreshingClusterManager first = new RefreshingClusterManager(member(List.of("127.0.0.1:1"), cluster));
    Vertx subscriber = ClusterNodes.clustered(new EventBusOptions(), first);
    Vertx sender = null;
    try {
      com.hazelcast.cluster.Address firstAddress = first.getHazelcastInstance().getCluster().getLocalMember().getAddress();
      RefreshingClusterManager second = new RefreshingClusterManager(
        member(List.of(firstAddress.getHost() + ":" + firstAddress.getPort()), cluster));
      sender = ClusterNodes.clustered(new EventBusOptions(), second);
      MessageConsumer<String> consumer = subscriber.eventBus().<String>consumer(ADDRESS, message -> message.reply("here"));
      consumer.completion().await(30, TimeUnit.SECONDS);
      Vertx asking = sender;
      Supplier<String> ask = () -> asking.eventBus().<String>request(ADDRESS, "who")
        .map(Message::body).otherwise(failure -> failure.getMessage()).await();
      await("an answer from the subscribing node", Duration.ofSeconds(30), ask, "here"::equals);

      ClusterSubscriptions subscriptions = new ClusterSubscriptions(second.getHazelcastInstance());
      Supplier<List<RegistrationInfo>> held = () -> subscriptions.of(ADDRESS).stream()
        .filter(registration -> registration.nodeId().equals(first.getNodeId())).toList();
      held.get().forEach(entry -> subscriptions.remove(ADDRESS, entry));
      await("the subscriber's entry put back in the map", Duration.ofMillis(4 * RefreshingClusterManager.REFRESH_MILLIS),
        held, entries -> !entries.isEmpty());
      await("an answer from the subscribing node after its entry was put back", Duration.ofSeconds(30), ask, "here"::equals);

      consumer.unregister().await(30, TimeUnit.SECONDS);
      await("the unregistered consumer's entry gone", Duration.ofSeconds(30), held, List::isEmpty);
      Thread.sleep(RefreshingClusterManager.REFRESH_MILLIS + 1000);
      assertEquals(List.of(), held.get(), "a refresh after the consumer was unregistered put its entry back");
    } finally {
      if (sender != null) {
        sender.close().await(60, TimeUnit.SECONDS);
      }
      subscriber.close().await(60, TimeUnit.SECONDS);
    }
  }

  private static Config member(List<String> members, String cluster) {
    return ClusterManagerFactory.bindTo(ClusterManagerFactory.hazelcastConfig(members, cluster)
      .setProperty("hazelcast.wait.seconds.before.join", "0"), "127.0.0.1", -1);
  }

  /** Watches {@link #ADDRESS} only; the first update is dropped, the later ones are kept. */
  private static final class DroppingFirstUpdate implements RegistrationListener {

    private final AtomicInteger updates = new AtomicInteger();
    private volatile List<RegistrationInfo> last = List.of();

    @Override
    public boolean wantsUpdatesFor(String address) {
      return ADDRESS.equals(address);
    }

    @Override
    public void registrationsUpdated(RegistrationUpdateEvent event) {
      if (ADDRESS.equals(event.address()) && updates.incrementAndGet() > 1) {
        last = event.registrations();
      }
    }
  }
}
