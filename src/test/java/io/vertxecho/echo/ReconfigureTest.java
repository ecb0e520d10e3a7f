package io.vertxecho.echo;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.AtomicFile;
import io.vertxecho.DeployerVerticle;
import io.vertxecho.LogCapture;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import io.vertxecho.internal.ClientTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.time.Duration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
@DisplayName("Live reconfiguration from the watched config file")
class ReconfigureTest {

  @TempDir
  Path dir;
  private Path file;
  private LogCapture deployerLog;

  @BeforeEach
  void captureDeployerLog() {
    deployerLog = LogCapture.of(DeployerVerticle.class);
  }

  @AfterEach
  void releaseDeployerLog() {
    deployerLog.close();
  }

  @Test
  @DisplayName("instances scale 2 -> 6 -> 1 -> 3 under 200 live connections: no refused connect, no lost echo, removed instances drain")
  void scalesUnderLiveTraffic(Vertx vertx) {
    TestNode node = start(vertx, config(2));
    Vertx clients = ClientTransport.vertx(new VertxOptions());
    try {
      LiveTraffic traffic = new LiveTraffic(clients, node.port());
      traffic.start(200);
      traffic.awaitProgress(1000);
      for (int instances : new int[] {6, 1, 3}) {
        write(config(instances));
        awaitServingInstances(node, instances);
        traffic.awaitProgress(2000);
      }
      traffic.stop();
      assertEquals(0, traffic.refused.get(), traffic.toString());
      assertEquals(0, traffic.corrupted.get(), traffic.toString());
      assertEquals(0, traffic.cut.get(), traffic.toString());
      assertTrue(traffic.drained.get() > 0, traffic.toString());
    } finally {
      clients.close().await();
    }
  }

  @Test
  @DisplayName("a change of greeting and goodbye is seen by new connections only")
  void newSettingsForNewConnectionsOnly(Vertx vertx) {
    TestNode node = start(vertx, config(2).put("greeting", "one"));
    try (Wire before = Wire.connect(node.port())) {
      assertEquals("one", before.readLine());
      write(config(2).put("greeting", "two").put("goodbye", "ciao"));
      awaitGreeting(node, "two");
      before.send("quit\n");
      assertEquals("Bye\n", before.readToEndString());
    }
    try (Wire after = Wire.connect(node.port())) {
      after.send("quit\n");
      assertEquals("two\nciao\n", after.readToEndString());
    }
    // changes apply in order: once a later scaling is logged, the greeting change's own turn is over
    write(config(3).put("greeting", "two").put("goodbye", "ciao"));
    awaitLog("Echo instances: 3 (+1 -0");
    assertEquals(List.of("Echo instances: 3 (+1 -0, removed ones drain their clients)"),
      deployerLog.messages().stream().filter(message -> message.startsWith("Echo instances")).toList(),
      "a change that adds and removes no instance logs no scaling line");
  }

  @Test
  @DisplayName("an unparsable file or an invalid value is rejected with one log line; a later good change applies")
  void badChangesAreRejected(Vertx vertx) {
    TestNode node = start(vertx, config(2).put("greeting", "one"));
    writeText("{\"greeting\": ");
    awaitLog("Config change rejected, the running config stays in force: Invalid configuration: cannot read config file");
    write(config(2).put("greeting", "two").put("maxLineBytes", -5));
    awaitLog("Config change rejected, the running config stays in force: Invalid configuration: maxLineBytes = -5");
    try (Wire client = Wire.connect(node.port())) {
      assertEquals("one", client.readLine());
    }
    write(config(2).put("greeting", "three"));
    awaitGreeting(node, "three");
    assertEquals(2, deployerLog.messages().stream().filter(message -> message.contains("rejected")).count());
  }

  @Test
  @DisplayName("a change of port is logged as needing a restart and the node keeps its port")
  void portNeedsRestart(Vertx vertx) {
    TestNode node = start(vertx, config(2));
    write(config(2).put("port", 1).put("greeting", "after"));
    awaitGreeting(node, "after");
    awaitLog("Config change of port (0 -> 1) takes effect at the next restart");
  }

  @Test
  @DisplayName("a change of the file that the environment hides is logged with the source that sets the key; the rest applies")
  void maskedChangeIsLogged(Vertx vertx) {
    write(config(2).put("goodbye", "file"));
    TestNode node = TestNode.start(vertx, TestNode.loader(new JsonObject(), Map.of("ECHO_GOODBYE", "env"), withFile()));
    write(config(2).put("goodbye", "changed").put("greeting", "after"));
    awaitGreeting(node, "after");
    awaitLog("Config change in " + file + " has no effect: goodbye file -> changed (environment variable ECHO_GOODBYE sets it to env)");
  }

  @Test
  @DisplayName("with -conf naming the watched file (-conf conf/config.json), changes to the file apply")
  void launcherConfNamingTheWatchedFile(Vertx vertx) {
    JsonObject config = config(2).put("greeting", "before");
    write(config);
    TestNode node = TestNode.start(vertx, TestNode.loader(config, Map.of(), withFile()).launcherConfFile(file.toString()));
    write(config(2).put("greeting", "after"));
    awaitGreeting(node, "after");
  }

  private TestNode start(Vertx vertx, JsonObject config) {
    write(config);
    return TestNode.start(vertx, TestNode.loader(new JsonObject(), Map.of(), withFile()));
  }

  private Properties withFile() {
    Properties properties = new Properties();
    properties.setProperty("vertx-config-path", file.toString());
    return properties;
  }

  private static JsonObject config(int instances) {
    return new JsonObject().put("port", 0).put("instances", instances).put("statsIntervalMillis", 100)
      .put("configScanMillis", 100).put("shutdownGraceSeconds", 1)
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0));
  }

  private void write(JsonObject config) {
    writeText(config.encodePrettily());
  }

  private void writeText(String text) {
    try {
      file = AtomicFile.write(dir.resolve("config.json"), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until exactly {@code count} instances serve and none is still draining. */
  private static void awaitServingInstances(TestNode node, int count) {
    node.awaitNode(stats -> stats.getJsonArray("instances").size() == count && stats.getJsonArray("instances").stream()
      .noneMatch(instance -> ((JsonObject) instance).getBoolean("draining")));
  }

  private static void awaitGreeting(TestNode node, String greeting) {
    await("greeting " + greeting).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      try (Wire client = Wire.connect(node.port())) {
        assertEquals(greeting, client.readLine());
      }
    });
  }

  private void awaitLog(String text) {
    await("log line " + text).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
      assertTrue(deployerLog.messages().stream().anyMatch(message -> message.contains(text)),
        () -> "deployer log: " + deployerLog.messages()));
  }
}
