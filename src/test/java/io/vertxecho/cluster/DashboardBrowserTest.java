package io.vertxecho.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.EventContract;
import io.vertxecho.Wire;
import io.vertxecho.cluster.ClusterNodes.Node;
import io.vertxecho.config.ConfigLoader;
import io.vertxecho.events.Events;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real browser (Debian's headless Chromium through its chromedriver) against clustered nodes:
 * it shows nothing it does not have, follows connections and nodes live, without a reload, marks a node that went
 * quiet, and reconnects to the bridge by itself.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DashboardBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOT = Path.of("target", "dashboard.png");
  /** The totals: counts first, then the rates, which need two summaries a second apart. */
  private static final List<String> TOTALS = List.of("total-nodes", "total-active", "total-accepted", "total-rate", "total-in", "total-out");

  private ClusterNodes cluster;
  private WebDriver browser;
  private final List<Wire> clients = new ArrayList<>();

  @BeforeEach
  void start(Vertx client, @TempDir Path profile) {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
      "Skipped: no Chromium here (" + CHROMIUM + " and " + CHROMEDRIVER + "); apt-get install chromium chromium-driver (.ci/run does)");
    cluster = new ClusterNodes(client);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--user-data-dir=" + profile, "--window-size=1400,1100");
    ChromeDriverService driver = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    browser = new ChromeDriver(driver, options);
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(Wire::close);
    if (browser != null) {
      browser.quit();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @DisplayName("until a snapshot arrives (here the bridge is off) the badge says connecting and every figure is '–', never 0")
  void nothingShownBeforeTheFirstSnapshot() throws Exception {
    JsonObject noBridge = ClusterNodes.baseConfig().put("bridge", new JsonObject().put("enabled", false));
    Node node = cluster.start(new ConfigLoader(noBridge, Map.of(), new Properties()));
    browser.get("http://127.0.0.1:" + node.httpPort() + "/");
    // A failed attempt shows only after the page has rendered once: from then on it had the chance to show a number.
    awaitText("bus-state", "a failed attempt to reach the bridge", text -> text.startsWith("connecting… (no bridge yet, retrying"));
    for (String figure : TOTALS) {
      assertEquals("–", text("#" + figure), figure);
    }
    assertEquals("state connecting", attribute("#bus-state", "class"));
    assertNull(text("#nodes .node"), "a node card without a snapshot");
  }

  @Test
  @DisplayName("the page shows 40 new connections and a second node without a reload, names nodes by address everywhere, "
    + "keeps node colours apart from the totals' and bytes', and reconnects to the bridge by itself")
  void followsTheClusterLive() throws Exception {
    Node first = cluster.start();
    browser.get("http://127.0.0.1:" + first.httpPort() + "/");
    awaitText("bus-state", "the first snapshot", "live"::equals);
    awaitText("total-nodes", "one node", "1"::equals);
    for (String figure : TOTALS.subList(0, 3)) {
      assertNotEquals("–", text("#" + figure), figure + " after the first snapshot");
    }

    for (int i = 0; i < 40; i++) {
      Wire wire = Wire.connect(first.echoPort());
      clients.add(wire);
      wire.readLine();
    }
    awaitText("total-active", "40 active connections", "40"::equals);
    awaitCardActive(first, "40");

    Node second = cluster.start();
    awaitText("total-nodes", "the second node", "2"::equals);
    awaitCardActive(second, "0");
    Files.write(SCREENSHOT, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));

    for (Node node : List.of(first, second)) {
      // A node's first summaries can come before its echo instances listen, without an address: the card shows its
      // id until the next one.
      String name = "[data-node-id='" + node.id() + "'] h3 .node-name";
      String expected = address(node) + " | node " + node.id();
      await("node " + node.id() + " named by its address", () -> text(name) + " | " + attribute(name, "title"), expected::equals);
    }
    await("the connection events naming the first node by its address",
      () -> String.join("|", new TreeSet<>(all("#events li .node-name", "e.innerText + ' ' + e.title"))),
      names -> names.equals(address(first) + " node " + first.id()));
    List<String> nodeColours = all(".swatch", "getComputedStyle(e).backgroundColor");
    List<String> otherColours = all("[data-series]", "getComputedStyle(e).color");
    assertEquals(2, Set.copyOf(nodeColours).size(), "two nodes, two colours: " + nodeColours);
    assertTrue(Collections.disjoint(nodeColours, otherColours), () -> "nodes " + nodeColours + ", totals and bytes " + otherColours);

    script("window.droppedSocket = bus.ws; bus.ws.close();");
    awaitText("bus-state", "the disconnection shown", text -> text.startsWith("disconnected"));
    awaitText("bus-state", "the bridge reconnected", "live"::equals);
    Object reconnected = script("return bus.ws !== window.droppedSocket;");
    if (!Boolean.TRUE.equals(reconnected)) {
      fail("the page shows live but kept the closed socket");
    }
    awaitText("total-active", "40 active connections after reconnecting", "40"::equals);
  }

  @Test
  @DisplayName("a node that stops publishing its summary (frozen, killed, cut off) is marked stale on its card; the page stays live")
  void quietNodeIsStale() throws Exception {
    Node node = cluster.start();
    browser.get("http://127.0.0.1:" + node.httpPort() + "/");
    awaitText("bus-state", "the first snapshot", "live"::equals);

    // A member of the cluster that publishes its summary every 200 ms, as a node does, then stops: no final summary.
    Vertx quiet = cluster.startBare(new EventBusOptions());
    JsonObject summary = new JsonObject().put("id", "quiet-" + UUID.randomUUID()).put("address", "192.0.2.7:9999")
      .put("active", 2).put("accepted", 5).put("rejected", 0).put("peak", 2).put("bytesIn", 10).put("bytesOut", 10)
      .put("closed", new JsonObject()).put("instances", new JsonArray()).put("draining", false)
      .put("intervalMillis", 200).put("validMillis", 600_000).put("final", false);
    EventContract.assertValid("nodeSummary", summary);
    long publishing = quiet.setPeriodic(200, id -> quiet.eventBus().publish(Events.NODE_SUMMARY, summary));
    String card = "[data-node-id='" + summary.getString("id") + "']";
    await("the quiet node's card", () -> String.valueOf(text(card + " .node-name")), "192.0.2.7:9999"::equals);
    quiet.cancelTimer(publishing);

    await("the quiet node marked stale", () -> String.valueOf(attribute(card, "class")), "node stale"::equals);
    assertTrue(text(card + " .stale-mark").startsWith("stale: no summary for "), text(card));
    assertEquals("live", text("#bus-state"), "the serving node still publishes");
    assertEquals("node", attribute("[data-node-id='" + node.id() + "']", "class"));
  }

  private static String address(Node node) {
    return "127.0.0.1:" + node.echoPort();
  }

  // The page redraws its cards and feed every second: each read is one script, so no element goes stale in between.

  /** The text of the first element the selector finds, or null. */
  private String text(String selector) {
    return (String) script("const e = document.querySelector(arguments[0]); return e && e.innerText;", selector);
  }

  private String attribute(String selector, String name) {
    return (String) script("const e = document.querySelector(arguments[0]); return e && e.getAttribute(arguments[1]);", selector, name);
  }

  /** A JavaScript expression of {@code e}, for every element the selector finds. */
  @SuppressWarnings("unchecked")
  private List<String> all(String selector, String expression) {
    return (List<String>) script("return [...document.querySelectorAll(arguments[0])].map(e => " + expression + ");", selector);
  }

  @Test
  @DisplayName("the page shows the user verticles of each node, the alerts of reconnect-alerts.groovy and the top talkers of TopTalkers")
  void showsUserVerticles() throws Exception {
    JsonObject config = ClusterNodes.baseConfig().put("verticleJars", "target/verticles").put("verticles", new JsonArray()
      .add(new JsonObject().put("name", "conf/verticles/reconnect-alerts.groovy").put("config", new JsonObject().put("maxConnects", 2)))
      .add(new JsonObject().put("name", "example.toptalkers.TopTalkers").put("config", new JsonObject().put("periodSeconds", 1))));
    Node node = cluster.start(new ConfigLoader(config, Map.of(), new Properties()));
    browser.get("http://127.0.0.1:" + node.httpPort() + "/");
    awaitText("bus-state", "the first snapshot", "live"::equals);
    await("the node's user verticles on its card", () -> String.valueOf(text("[data-node-id='" + node.id() + "'] .verticles")),
      text -> text.contains("conf/verticles/reconnect-alerts.groovy running") && text.contains("example.toptalkers.TopTalkers running"));
    for (int i = 0; i < 3; i++) {
      try (Wire wire = Wire.connect(node.echoPort())) {
        wire.readLine();
      }
    }
    awaitText("alerts", "the alert of the third connect", text -> text.contains("127.0.0.1 connected 3 times within 60 s (more than 2)"));
    await("the top talkers", () -> String.valueOf(text("#top-talkers .by-connections")), "127.0.0.1\t3"::equals);
  }

  private Object script(String script, Object... arguments) {
    return ((JavascriptExecutor) browser).executeScript(script, arguments);
  }

  private void awaitCardActive(Node node, String expected) throws InterruptedException {
    String active = "[data-node-id='" + node.id() + "'] .node-active";
    await("node " + node.id() + " showing " + expected + " active", () -> String.valueOf(text(active)), expected::equals);
  }

  private void awaitText(String id, String what, Predicate<String> condition) throws InterruptedException {
    await(what + " in #" + id, () -> String.valueOf(text("#" + id)), condition);
  }

  /** Polls the page (it updates itself; no reload) for up to 30 s; fails with the last text seen. */
  private void await(String what, java.util.function.Supplier<String> read, Predicate<String> condition) {
    AtomicReference<String> last = new AtomicReference<>();
    Awaitility.await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      last.set(read.get());
      assertTrue(condition.test(last.get()), () -> "last seen: \"" + last.get() + "\"");
    });
  }
}
