package io.vertxecho.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
    RefreshingClusterManager clusterManager = new RefreshingClusterManager(ClusterManagerFactory.bindTo(
      ClusterManagerFactory.hazelcastConfig(List.of("127.0.0.1:1"), "refresh-test-" + UUID.randomUUID())
        .setProperty("hazelcast.wait.seconds.before.join", "0"), "127.0.0.1", -1));
    Vertx vertx = Vertx.builder()
      .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1")))
      .withClusterManager(clusterManager)
      .buildClustered().await(60, TimeUnit.SECONDS);
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
