package io.vertxecho.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.LogCapture;
import io.vertxecho.TestCertificates;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.stats.StatsVerticle;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
@Timeout(180)
@DisplayName("A closed cluster: TLS with client certificates on the event bus")
class ClusterSecurityTest {

  private static final int MESSAGES = 20;

  @TempDir
  Path dir;

  @Test
  @DisplayName("two nodes sharing the cluster's certificate exchange events; a stranger in Hazelcast without it gets none, "
    + "sends none, and the nodes' logs say that nothing arrives from it")
  void strangerWithoutTheCertificateGetsNothing(Vertx vertx) throws Exception {
    TestCertificates cluster = TestCertificates.make(dir.resolve("cluster"));
    TestCertificates other = TestCertificates.make(dir.resolve("stranger"));
    try (LogCapture stats = LogCapture.of(StatsVerticle.class); ClusterNodes nodes = new ClusterNodes(vertx)) {
      ClusterNodes.Node a = nodes.startClosed(cluster);
      ClusterNodes.Node b = nodes.startClosed(cluster);
      // What is checked below holds once A and B hear each other: a node reports a member no summary has come from 15 s
      // after it joined Hazelcast, and a member's first summary follows its join by its whole start (event bus, the
      // verticles' deploy, its first TLS connection), which a loaded machine can stretch past that. So the stranger
      // joins once each node lists the other, and only the reports logged since then count.
      nodes.awaitStats(a, "A listing B", view -> ClusterNodes.clusterEntry(view, b) != null);
      nodes.awaitStats(b, "B listing A", view -> ClusterNodes.clusterEntry(view, a) != null);
      int heardEachOther = stats.messages().size();
      Vertx stranger = nodes.startBare(ClusterSecurity.secure(new EventBusOptions(),
        new EchoConfig.ClusterTls(other.clientCert().toString(), other.clientKey().toString(), other.ca().toString())));

      List<Integer> atStranger = new CopyOnWriteArrayList<>();
      List<Integer> atB = new CopyOnWriteArrayList<>();
      stranger.eventBus().<Integer>consumer("probe", message -> atStranger.add(message.body())).completion().await();
      b.vertx().eventBus().<Integer>consumer("probe", message -> atB.add(message.body())).completion().await();
      AtomicInteger servedByA = new AtomicInteger();
      a.vertx().eventBus().consumer("ask-a", message -> message.reply("served " + servedByA.incrementAndGet())).completion().await();

      // A publishes until B has heard MESSAGES of them: by then A knows every subscriber, the stranger's included.
      AtomicInteger sent = new AtomicInteger();
      await("B hearing " + MESSAGES + " of A's events").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> {
          a.vertx().eventBus().publish("probe", sent.getAndIncrement());
          assertTrue(atB.size() >= MESSAGES, () -> "B heard " + atB.size() + " of " + sent.get());
        });
      assertEquals("served 1", b.vertx().eventBus().request("ask-a", "from b").await(30, TimeUnit.SECONDS).body());

      Throwable refused = assertThrows(Exception.class,
        () -> stranger.eventBus().request("ask-a", "from a stranger", new DeliveryOptions().setSendTimeout(5000)).await(30, TimeUnit.SECONDS));
      assertTrue(refused instanceof ReplyException || refused.getCause() instanceof ReplyException, "the stranger's request: " + refused);
      assertEquals(List.of(), atStranger, "events the stranger received");
      assertEquals(1, servedByA.get(), "requests A served");

      await("a node reporting that no summary arrives from the stranger").atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertTrue(stats.messages().stream().skip(heardEachOther).anyMatch(line -> line.contains("no summary from it has arrived")),
          () -> "StatsVerticle logged: " + stats.messages()));
      stats.messages().stream().skip(heardEachOther).filter(line -> line.contains("no summary from it has arrived"))
        .forEach(line -> assertFalse(line.contains(a.id()) || line.contains(b.id()), () -> "a node of the cluster reported: " + line));
    }
  }
}
