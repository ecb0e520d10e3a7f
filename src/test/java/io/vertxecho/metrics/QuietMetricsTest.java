package io.vertxecho.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.Metrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.metrics.Measured;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import io.vertxecho.echo.EchoVerticle;
import io.vertxecho.events.Events;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vert.x's metrics as the launcher builds them: every series, without the event-bus series of the connection events
 * and without the echo ports' TCP server series.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@DisplayName("Vert.x metrics without the connection events' bus series and the echo ports' TCP series")
class QuietMetricsTest {

  @Test
  @DisplayName("echo.connections is not counted on the bus nor the echo port's connections by the TCP series; other addresses and servers are")
  void connectionEventsLeftOut() throws Exception {
    VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
      .addLabels(Label.EB_ADDRESS).setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    Vertx vertx = Vertx.builder().with(options).withMetrics(metrics()).build();
    try {
      TestNode node = TestNode.start(vertx, new JsonObject().put("statsIntervalMillis", 100));
      NetServer other = vertx.createNetServer().connectHandler(socket -> { }).listen(0, "127.0.0.1").await();
      try (Wire client = Wire.connect(node.port()); Wire held = Wire.connect(other.actualPort())) {
        client.readLine();
        client.send("exit\n").readToEnd();
        PrometheusMeterRegistry registry = (PrometheusMeterRegistry) BackendRegistries.getDefaultNow();
        await().atMost(java.time.Duration.ofSeconds(20)).until(() -> registry.scrape().contains("address=\"" + Events.INSTANCE_SUMMARY + "\"")
          && registry.scrape().contains("vertx_net_server_active_connections 1.0"));
        try (Wire echoHeld = Wire.connect(node.port())) {
          echoHeld.readLine();
          node.awaitNode(stats -> stats.getLong("accepted") == 2 && stats.getLong("active") == 1);
          String scrape = registry.scrape();
          assertTrue(scrape.contains("vertx_net_server_active_connections 1.0"), scrape);
          assertTrue(scrape.contains("vertx_eventbus_published_total{address=\"" + Events.INSTANCE_SUMMARY + "\""), scrape);
          assertFalse(scrape.contains("address=\"" + Events.CONNECTIONS + "\""), scrape);
        }
      }
    } finally {
      vertx.close().await();
    }
  }

  private static QuietMetrics metrics() {
    return new QuietMetrics(Set.of(Events.CONNECTIONS), Set.of(EchoVerticle.PROTOCOL));
  }

  @Test
  @DisplayName("with metrics disabled it builds none, as Vert.x would")
  void disabled() {
    Vertx vertx = Vertx.builder().with(new VertxOptions()).withMetrics(metrics()).build();
    try {
      assertFalse(vertx.isMetricsEnabled());
    } finally {
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("every method of Vert.x's metrics SPI is passed through, so a Vert.x upgrade that adds one fails here")
  void everyMethodPassedThrough() {
    assertEquals(List.of(), missing("Metrics", VertxMetrics.class, Metrics.class, Measured.class));
    assertEquals(List.of(), missing("BusMetrics", EventBusMetrics.class, Metrics.class));
  }

  /** The interfaces' methods that the nested class {@code simpleName} of QuietMetrics does not declare. */
  private static List<String> missing(String simpleName, Class<?>... interfaces) {
    Class<?> wrapper = Arrays.stream(QuietMetrics.class.getDeclaredClasses())
      .filter(nested -> nested.getSimpleName().equals(simpleName)).findFirst().orElseThrow();
    List<String> missing = new ArrayList<>();
    for (Class<?> spi : interfaces) {
      for (Method method : spi.getDeclaredMethods()) {
        if (Modifier.isStatic(method.getModifiers()) || method.isSynthetic()) {
          continue;
        }
        try {
          wrapper.getDeclaredMethod(method.getName(), method.getParameterTypes());
        } catch (NoSuchMethodException e) {
          missing.add(spi.getSimpleName() + "." + method.getName());
        }
      }
    }
    return missing;
  }
}
