package io.vertxecho.verticles;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.AtomicFile;
import io.vertxecho.DeployerVerticle;
import io.vertxecho.EventContract;
import io.vertxecho.LogCapture;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import io.vertxecho.config.ConfigException;
import io.vertxecho.events.Events;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** User verticles from the {@code verticles} key, deployed by name beside the echo service of a real node. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@DisplayName("User verticles")
class UserVerticlesTest {

  private static final String GROOVY = "src/test/resources/verticles/config-echo.groovy";
  private static final String JAVA_SOURCE = "src/test/resources/verticles/ConfigEcho.java";

  @TempDir
  Path dir;
  private Path file;
  private LogCapture log;

  @BeforeEach
  void capture() {
    log = LogCapture.of(UserVerticles.class.getPackageName());
  }

  @AfterEach
  void release() {
    log.close();
  }

  @Test
  @DisplayName("a Groovy script, a Java source compiled at deploy and a class from a jar each get their entry's config")
  void eachKindGetsItsConfig(Vertx vertx) throws Exception {
    Path jars = Files.createDirectories(dir.resolve("jars"));
    jar(jars.resolve("config-echo.jar"));
    TestNode node = start(vertx, new JsonObject().put("verticleJars", jars.toString()).put("verticles", new JsonArray()
      .add(entry("groovy:" + GROOVY, "test.groovy", 2))
      .add(entry(JAVA_SOURCE, "test.java", 1))
      .add(entry("ConfigEcho", "test.jar", 1))));
    for (String address : List.of("test.groovy", "test.java", "test.jar")) {
      JsonObject config = ask(vertx, address);
      assertEquals(address, config.getString("address"));
      assertEquals(42, config.getInteger("answer"));
    }
    JsonArray listed = node.stats().getJsonObject(Events.NODE).getJsonArray(Events.VERTICLES_FIELD);
    assertEquals(List.of("groovy:" + GROOVY, JAVA_SOURCE, "ConfigEcho"), listed.stream().map(row -> ((JsonObject) row).getString("name")).toList());
    listed.forEach(row -> assertEquals(Events.RUNNING, ((JsonObject) row).getString(Events.STATE)));
    EventContract.assertValid("nodeSummary", node.stats().getJsonObject(Events.NODE));
  }

  @Test
  @DisplayName("adding, changing and removing an entry in the watched file deploys, redeploys and undeploys that entry only")
  void liveChanges(Vertx vertx) throws Exception {
    TestNode node = start(vertx, new JsonObject().put("verticles", new JsonArray().add(entry(GROOVY, "test.a", 1))));
    try (Wire client = Wire.connect(node.port()); LogCapture deployerLog = LogCapture.of(DeployerVerticle.class)) {
      client.readLine();
      write(watched(new JsonArray().add(entry(GROOVY, "test.a", 1)).add(entry(JAVA_SOURCE, "test.b", 1))));
      awaitAnswer(vertx, "test.b");
      String firstA = node.stats().getJsonObject(Events.NODE).getJsonArray(Events.VERTICLES_FIELD).getJsonObject(0).encode();
      write(watched(new JsonArray().add(entry(GROOVY, "test.a2", 1)).add(entry(JAVA_SOURCE, "test.b", 1))));
      awaitAnswer(vertx, "test.a2");
      await().atMost(Duration.ofSeconds(30)).until(() -> noAnswer(vertx, "test.a"));
      write(watched(new JsonArray().add(entry(GROOVY, "test.a2", 1))));
      await().atMost(Duration.ofSeconds(30)).until(() -> noAnswer(vertx, "test.b"));
      assertEquals(new JsonObject().put("address", "test.a2").put("answer", 42), ask(vertx, "test.a2"));
      assertTrue(firstA.contains("running"), firstA);
      client.send("still here\n");
      assertEquals("still here", client.readLine(), "the echo connection was not touched");
      assertEquals(1, node.stats().getJsonObject(Events.NODE).getLong(Events.ACCEPTED));
      // each change touched only its own entry
      assertEquals(List.of(
          "Config change applied: user verticles deployed " + JAVA_SOURCE + " (1 instance)",
          "Config change applied: user verticles redeployed " + GROOVY + " (1 instance)",
          "Config change applied: user verticles undeployed " + JAVA_SOURCE),
        deployerLog.messages().stream().filter(line -> line.contains("user verticles")).toList());
    }
    assertTrue(log.messages().stream().noneMatch(line -> line.contains("failed")), log.messages().toString());
  }

  @Test
  @DisplayName("a change that cannot be deployed is refused with one line, and the running verticles stay")
  void badChangeRefused(Vertx vertx) throws Exception {
    try (LogCapture deployerLog = LogCapture.of(DeployerVerticle.class)) {
      TestNode node = start(vertx, new JsonObject().put("verticles", new JsonArray().add(entry(GROOVY, "test.a", 1))));
      write(watched(new JsonArray().add(entry(GROOVY, "test.a", 1)).add(entry(JAVA_SOURCE, "test.b", 1))
        .add(entry("src/test/resources/verticles/broken.groovy", "test.c", 1))));
      await().atMost(Duration.ofSeconds(30)).until(() -> deployerLog.messages().stream().anyMatch(line -> line.contains("refused")));
      List<String> refusals = deployerLog.messages().stream().filter(line -> line.contains("refused")).toList();
      assertEquals(1, refusals.size(), refusals.toString());
      assertTrue(refusals.get(0).contains("verticles[2] = \"src/test/resources/verticles/broken.groovy\" could not be deployed"), refusals.get(0));
      assertEquals("test.a", ask(vertx, "test.a").getString("address"));
      assertTrue(noAnswer(vertx, "test.b"), "the entry deployed with the refused one was undeployed");
      assertEquals(1, node.stats().getJsonObject(Events.NODE).getJsonArray(Events.VERTICLES_FIELD).size());
    }
  }

  @Test
  @DisplayName("an entry that cannot be deployed stops the start with one line naming it and the cause")
  void startupFailure(Vertx vertx) {
    write(watched(new JsonArray().add(entry(GROOVY, "test.a", 1)).add(entry("com.example.Missing", "test.b", 1))));
    DeployerVerticle deployer = DeployerVerticle.standalone(TestNode.loader(new JsonObject(), Map.of(), withFile()));
    Throwable failure = assertThrows(Throwable.class, () -> vertx.deployVerticle(deployer).await());
    Throwable cause = failure;
    while (!(cause instanceof ConfigException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    assertTrue(cause instanceof ConfigException, String.valueOf(failure));
    assertEquals("Invalid configuration: verticles[1] = \"com.example.Missing\" could not be deployed: com.example.Missing",
      cause.getMessage());
  }

  @Test
  @DisplayName("a verticle that throws later is logged once with its name and listed as failed, with every throw counted")
  void throwsLater(Vertx vertx) {
    TestNode node = start(vertx, new JsonObject().put("verticles", new JsonArray().add(entry(GROOVY, "test.a", 1))));
    for (int i = 0; i < 3; i++) {
      vertx.eventBus().send("test.a.throw", "boom");
    }
    JsonObject row = awaitRow(node, listed -> listed.getLong(Events.ERRORS) == 3);
    assertEquals(Events.FAILED, row.getString(Events.STATE));
    assertTrue(row.getString(Events.ERROR).contains("thrown on request"), row.encode());
    List<String> logged = log.messages().stream().filter(line -> line.contains("failed")).toList();
    assertEquals(1, logged.size(), logged.toString());
    assertTrue(logged.get(0).contains(GROOVY), logged.get(0));
    assertEquals("test.a", ask(vertx, "test.a").getString("address"), "it stays deployed");
  }

  @Test
  @DisplayName("a stopping node stops its user verticles after the echo drain: they hear the drain's disconnections")
  void stopAfterDrain(Vertx vertx) throws Exception {
    TestNode node = start(vertx, new JsonObject().put("verticles", new JsonArray()
      .add(entry("src/test/resources/verticles/drain-listener.groovy", "test.stopped", 1))));
    CompletableFuture<Integer> heard = new CompletableFuture<>();
    vertx.eventBus().<Integer>consumer("test.stopped", message -> heard.complete(message.body())).completion().await();
    try (Wire client = Wire.connect(node.port())) {
      client.readLine();
      node.stopLater();
      assertEquals("Server shutting down", client.readLine());
      client.send("exit\n");
      assertEquals(1, heard.get(30, TimeUnit.SECONDS), "disconnections the user verticle heard before it stopped");
    }
  }

  private TestNode start(Vertx vertx, JsonObject config) {
    write(watched(new JsonArray()).mergeIn(config));
    return TestNode.start(vertx, TestNode.loader(new JsonObject(), Map.of(), withFile()));
  }

  private static JsonObject watched(JsonArray verticles) {
    return new JsonObject().put("port", 0).put("instances", 1).put("statsIntervalMillis", 100).put("configScanMillis", 100)
      .put("shutdownGraceSeconds", 5).put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("verticles", verticles);
  }

  private static JsonObject entry(String name, String address, int instances) {
    return new JsonObject().put("name", name).put("instances", instances)
      .put("config", new JsonObject().put("address", address).put("answer", 42));
  }

  private void write(JsonObject config) {
    try {
      file = AtomicFile.write(dir.resolve("config.json"), config.encodePrettily());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private Properties withFile() {
    Properties properties = new Properties();
    properties.setProperty("vertx-config-path", file.toString());
    return properties;
  }

  private static JsonObject ask(Vertx vertx, String address) {
    return vertx.eventBus().<JsonObject>request(address, null).await().body();
  }

  private static void awaitAnswer(Vertx vertx, String address) {
    await().atMost(Duration.ofSeconds(30)).until(() -> !noAnswer(vertx, address));
  }

  private static boolean noAnswer(Vertx vertx, String address) {
    try {
      vertx.eventBus().request(address, null).await();
      return false;
    } catch (ReplyException e) {
      return true;
    }
  }

  private static JsonObject awaitRow(TestNode node, java.util.function.Predicate<JsonObject> condition) {
    JsonObject[] last = new JsonObject[1];
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      last[0] = node.stats().getJsonObject(Events.NODE).getJsonArray(Events.VERTICLES_FIELD).getJsonObject(0);
      assertTrue(condition.test(last[0]), String.valueOf(last[0]));
    });
    return last[0];
  }

  /** Compiles the ConfigEcho source into a jar, as a user ships a verticle class. */
  private void jar(Path jar) throws IOException {
    Path classes = Files.createDirectories(dir.resolve("classes"));
    int compiled = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
      "-cp", System.getProperty("java.class.path"), JAVA_SOURCE);
    assertEquals(0, compiled, "javac of " + JAVA_SOURCE);
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("ConfigEcho.class"));
      Files.copy(classes.resolve("ConfigEcho.class"), (OutputStream) out);
      out.closeEntry();
    }
  }
}
