package io.vertxecho;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertxecho.config.ConfigLoader;
import io.vertxecho.events.Events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A whole node (stats, HTTP, echo instances) deployed in a test's Vert.x, on random ports, isolated from the environment. */
public final class TestNode {

  private final Vertx vertx;
  private final DeployerVerticle deployer;
  private final String deploymentId;

  private TestNode(Vertx vertx, DeployerVerticle deployer, String deploymentId) {
    this.vertx = vertx;
    this.deployer = deployer;
    this.deploymentId = deploymentId;
  }

  /** Deploys a node; {@code config} overrides the built-in defaults (random ports unless it sets them). */
  public static TestNode start(Vertx vertx, JsonObject config) {
    JsonObject merged = new JsonObject().put("port", 0).put("instances", 2).put("statsIntervalMillis", 100)
      .put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1"))
      .mergeIn(config, true);
    return start(vertx, loader(merged));
  }

  /** Deploys a node whose config comes from {@code loader} alone. */
  public static TestNode start(Vertx vertx, ConfigLoader loader) {
    DeployerVerticle deployer = DeployerVerticle.standalone(loader);
    String id = vertx.deployVerticle(deployer).await();
    return new TestNode(vertx, deployer, id);
  }

  /** A loader that sees only {@code config}: no config file, no environment, no system properties. */
  public static ConfigLoader loader(JsonObject config) {
    return loader(config, Map.of(), new Properties());
  }

  public static ConfigLoader loader(JsonObject config, Map<String, String> env, Properties properties) {
    Properties withFile = new Properties();
    withFile.putAll(properties);
    withFile.putIfAbsent("vertx-config-path", emptyConfigFile().toString());
    return new ConfigLoader(config, env, withFile);
  }

  private static Path emptyConfigFile() {
    try {
      Path file = Files.createTempFile("vertx-echo-test", ".json");
      Files.writeString(file, "{}");
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return deployer.echoPort();
  }

  /** The TLS echo port (-1 when TLS is off). */
  public int tlsPort() {
    return deployer.tlsPort();
  }

  /** The TCP event-bus bridge's port (-1 when it is off). */
  public int tcpBridgePort() {
    return deployer.tcpBridgePort();
  }

  public int httpPort() {
    return deployer.httpPort();
  }

  /** Undeploys the node: the echo instances drain their clients. */
  public void stop() {
    vertx.undeploy(deploymentId).await();
  }

  /** Starts undeploying without waiting (to observe the drain). */
  public Future<Void> stopLater() {
    return vertx.undeploy(deploymentId);
  }

  public JsonObject stats() {
    return vertx.eventBus().<JsonObject>request(Events.STATS, null).await().body();
  }

  /** Polls the stats until {@code condition} holds on the node view; fails after 30 s with the last node view. */
  public JsonObject awaitNode(Predicate<JsonObject> condition) {
    AtomicReference<JsonObject> last = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
      last.set(stats().getJsonObject(Events.NODE));
      assertTrue(condition.test(last.get()), () -> "last node stats: " + last.get().encodePrettily());
    });
    return last.get();
  }

  /** How many connections closed with {@code reason}, as the node's stats count them. */
  public static long closed(JsonObject node, String reason) {
    return node.getJsonObject("closed").getLong(reason, 0L);
  }

  public static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
