package io.vertxecho.cluster;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.Wire;
import io.vertxecho.cluster.ClusterNodes.Node;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real browser (Debian's headless Chromium through its chromedriver) against clustered nodes:
 * it follows connections and nodes live, without a reload, and reconnects to the bridge by itself.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DashboardBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOT = Path.of("target", "dashboard.png");

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
  @DisplayName("the page shows 40 new connections and a second node without a reload, and reconnects to the bridge by itself")
  void followsTheClusterLive() throws Exception {
    Node first = cluster.start();
    browser.get("http://127.0.0.1:" + first.httpPort() + "/");
    awaitText("bus-state", "the bridge connected", "live"::equals);
    awaitText("total-nodes", "one node", "1"::equals);

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
    Thread.sleep(1500);
    Files.write(SCREENSHOT, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));

    ((JavascriptExecutor) browser).executeScript("window.droppedSocket = bus.ws; bus.ws.close();");
    awaitText("bus-state", "the disconnection shown", text -> text.startsWith("disconnected"));
    awaitText("bus-state", "the bridge reconnected", "live"::equals);
    Object reconnected = ((JavascriptExecutor) browser).executeScript("return bus.ws !== window.droppedSocket;");
    if (!Boolean.TRUE.equals(reconnected)) {
      fail("the page shows live but kept the closed socket");
    }
    awaitText("total-active", "40 active connections after reconnecting", "40"::equals);
  }

  private void awaitCardActive(Node node, String expected) throws InterruptedException {
    By active = By.cssSelector("[data-node-id='" + node.id() + "'] .node-active");
    await("node " + node.id() + " showing " + expected + " active", () -> {
      var cells = browser.findElements(active);
      return cells.isEmpty() ? "(no card)" : cells.get(0).getText();
    }, expected::equals);
  }

  private void awaitText(String id, String what, Predicate<String> condition) throws InterruptedException {
    await(what + " in #" + id, () -> browser.findElement(By.id(id)).getText(), condition);
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
