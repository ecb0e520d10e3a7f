package io.vertxecho.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertxecho.AtomicFile;
import io.vertxecho.HttpGet;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

/** The project's own Prometheus series on GET /metrics, beside Vert.x's, from a node with Micrometer metrics on. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@DisplayName("Prometheus metrics")
class MetricsTest {

  private Vertx vertx;

  @BeforeEach
  void metricsOn() {
    vertx = Vertx.vertx(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
      .setEnabled(true).setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))));
  }

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  @DisplayName("active connections per instance, closed by reason, bytes by direction and cluster nodes are scraped")
  void statsSeries() throws Exception {
    TestNode node = TestNode.start(vertx, new JsonObject());
    try (Wire held = Wire.connect(node.port()); Wire quitting = Wire.connect(node.port())) {
      held.readLine();
      quitting.readLine();
      quitting.send("hello\n").readLine();
      quitting.send("exit\n").readLine();
      awaitMetrics(node, "1 active, 1 closed by quit, bytes in and out", text ->
        sum(text, "echo_connections_active\\{[^}]*echo_instance=\"[^\"]+\"[^}]*event_loop=\"vert\\.x-eventloop[^\"]*\"[^}]*}") == 1
          && sum(text, "echo_connections_closed_total\\{[^}]*reason=\"quit\"[^}]*}") == 1
          && sum(text, "echo_echoed_bytes_total\\{[^}]*direction=\"in\"[^}]*}") == "hello\nexit\n".length()
          && sum(text, "echo_echoed_bytes_total\\{[^}]*direction=\"out\"[^}]*}") > "hello\n".length()
          && sum(text, "echo_cluster_nodes(\\{[^}]*})?") == 1
          && text.contains("vertx_net_server_active_connections"));
    }
  }

  @Test
  @DisplayName("config reloads applied and refused are counted")
  void configReloads(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("config.json"), config(2));
    Properties properties = new Properties();
    properties.setProperty("vertx-config-path", file.toString());
    TestNode node = TestNode.start(vertx, TestNode.loader(new JsonObject(), Map.of(), properties));
    awaitMetrics(node, "no reload yet", text -> sum(text, "echo_config_reloads_total\\{[^}]*result=\"applied\"[^}]*}") == 0);
    AtomicFile.write(file, config(3));
    awaitMetrics(node, "1 applied", text -> sum(text, "echo_config_reloads_total\\{[^}]*result=\"applied\"[^}]*}") == 1);
    AtomicFile.write(file, "{\"instances\": 0}");
    awaitMetrics(node, "1 refused", text -> sum(text, "echo_config_reloads_total\\{[^}]*result=\"refused\"[^}]*}") == 1
      && sum(text, "echo_config_reloads_total\\{[^}]*result=\"applied\"[^}]*}") == 1);
  }

  private static String config(int instances) {
    return new JsonObject().put("port", 0).put("instances", instances).put("statsIntervalMillis", 100).put("configScanMillis", 100)
      .put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1")).encode();
  }

  /** The sum of the samples of the series that match {@code series} (a regex of name and labels). */
  private static double sum(String scrape, String series) {
    Matcher samples = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)$").matcher(scrape);
    double total = 0;
    while (samples.find()) {
      total += Double.parseDouble(samples.group(samples.groupCount()));
    }
    return total;
  }

  /** Polls GET /metrics for up to 30 s; fails with the last echo_* series seen. */
  private String awaitMetrics(TestNode node, String what, Predicate<String> condition) {
    HttpGet http = new HttpGet();
    AtomicReference<String> last = new AtomicReference<>("");
    await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      last.set(http.get(node.httpPort(), "/metrics").body());
      assertTrue(condition.test(last.get()), () -> "last echo_* series:\n"
        + String.join("\n", last.get().lines().filter(line -> line.startsWith("echo_")).toList()));
    });
    return last.get();
  }
}
