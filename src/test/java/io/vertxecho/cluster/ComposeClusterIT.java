package io.vertxecho.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertxecho.AtomicFile;
import io.vertxecho.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.vertxecho.cluster.ComposeProject.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The docker-compose cluster as a user runs it: images built from the jar, three nodes behind HAProxy, then a kill -9,
 * a drain, a config change and a fourth node. Runs wherever a Docker engine is usable (.ci/run provides one), on the
 * official base images or, where they cannot be pulled, local ones it makes as .ci/run does ({@link BaseImages}); it
 * is skipped, saying why, where neither can be had. The steps run in order on one cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ComposeClusterIT {

  private static final List<String> NODES = List.of("node1", "node2", "node3");
  private static final Duration READY = Duration.ofSeconds(120);
  /** shutdownGraceSeconds of the nodes: the most the config allows, so a drain ends when its clients leave. */
  private static final int DRAIN_UNTIL_CLIENTS_LEAVE = 3600;
  /** A clustered node's first line on SIGTERM. */
  private static final String STOPPING = "Stopping: draining clients, then leaving the cluster";
  /** The user verticle every node deploys from the mounted config (docs/verticles.md). */
  private static final String ALERTS_VERTICLE = "conf/verticles/reconnect-alerts.groovy";
  /** More connects than any one node holds of the 300 (each holds 50 or more): an alert means it counted them all. */
  private static final int ALERT_AFTER = 200;

  private final Path baseDir = Path.of(System.getProperty("it.basedir", ".")).toAbsolutePath();
  private final Map<String, String> containers = new ConcurrentHashMap<>();
  private ComposeProject project;
  /** The same cluster, for the steps written on the compose tests' shared fixture. */
  private ComposeCluster cluster;
  private Path confDir;

  /** On a failed step: every container's log, so the failure can be understood from the test report. */
  @RegisterExtension
  final TestWatcher printLogsOnFailure = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      if (project != null) {
        printLogs(context.getDisplayName());
      }
    }
  };

  /** Why the steps are skipped (no Docker engine here), or null. */
  private String skipped;

  /** Builds the image and starts the nodes, up to their health check's start period on a busy host (the default 120 s is short). */
  @BeforeAll
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void startCluster() throws IOException {
    String noDocker = ComposeProject.whyNoDocker();
    skipped = noDocker != null ? "Skipping the compose cluster test: " + noDocker
      : Files.isRegularFile(baseDir.resolve("target/vertx-echo.jar")) ? null : "Skipping the compose cluster test: no target/vertx-echo.jar (run by mvn verify)";
    BaseImages.Choice images = null;
    if (skipped == null) {
      Path work = Files.createDirectories(baseDir.resolve("target/it-work"));
      images = BaseImages.choose(baseDir, BaseImages.OFFICIAL, baseDir.resolve("cluster/offline-images.sh"), work.resolve("base-images.env"));
      skipped = images.unavailable() == null ? null : "Skipping the compose cluster test: " + images.unavailable();
    }
    if (skipped != null) {
      System.out.println(skipped);
      return;
    }
    String name = "vertxechoit" + UUID.randomUUID().toString().substring(0, 8);
    confDir = Files.createDirectories(baseDir.resolve("target/it-work/" + name + "/conf"));
    // A stopped node drains until its clients leave (the longest grace there is): the steps that watch the drain take
    // what they take on a loaded machine, and end it by closing their clients.
    JsonObject config = new JsonObject(Files.readString(baseDir.resolve("conf/config.json")))
      .put("shutdownGraceSeconds", DRAIN_UNTIL_CLIENTS_LEAVE);
    Files.createDirectories(confDir.resolve("verticles"));
    Files.copy(baseDir.resolve(ALERTS_VERTICLE), confDir.resolve("verticles/reconnect-alerts.groovy"));
    Files.writeString(confDir.resolve("config.json"), config.encodePrettily());
    project = new ComposeProject(baseDir, name, confDir);
    project.putEnv(images.env());
    project.compose("build", "node1");
    try {
      project.compose("up", "-d");
    } catch (IllegalStateException failed) {
      printLogs("docker-compose up");
      throw failed;
    }
    NODES.forEach(node -> containers.put(node, project.container(node)));
    cluster = ComposeCluster.attach(project, confDir, containers);
  }

  private void printLogs(String after) {
    System.out.println("=== containers of " + project.name() + " after the failure of " + after);
    System.out.println(project.compose("ps"));
    System.out.println(project.compose("logs", "--no-color", "--tail", "300"));
    containers.forEach((node, container) -> {
      JsonObject stats = project.stats(container);
      System.out.println(node + "'s /stats: " + (stats == null ? "no answer" : stats.encode()));
    });
  }

  /** Each step reports the reason it is skipped (in the test report), rather than the class vanishing silently. */
  @BeforeEach
  void needsDocker() {
    assumeTrue(skipped == null, skipped);
  }

  @AfterAll
  void removeCluster() {
    if (project != null) {
      try {
        project.compose("down", "--remove-orphans", "--timeout", "20");
      } finally {
        project.docker("image", "rm", "-f", project.image());
      }
    }
  }

  @Test
  @Order(1)
  @DisplayName("Every node becomes ready, lists 3 nodes over a TLS event bus (the closed cluster) without a Hazelcast warning, and an echo goes through HAProxy")
  void clusterForms() {
    NODES.forEach(this::awaitReady);
    NODES.forEach(node -> awaitClusterSize(node, 3));
    NODES.forEach(node -> assertTrue(project.logs(containers.get(node)).contains("Cluster event bus: TLS with client certificates"),
      () -> node + " does not run a closed cluster:\n" + project.logs(containers.get(node))));
    // the image runs plain java -jar: the jar's manifest opens the JDK packages Hazelcast asks for, or it warns
    NODES.forEach(node -> assertFalse(project.logs(containers.get(node)).contains("without proper access to required Java packages"),
      () -> node + " lacks the JDK access Hazelcast asks for:\n" + project.logs(containers.get(node))));
    assertEcho("hello through haproxy");
    // A node that heard no summary from a member subscribes again (StatsVerticle) and the view forms: say so if it did.
    NODES.forEach(node -> project.logs(containers.get(node)).lines().filter(line -> line.contains("Subscribing again"))
      .forEach(line -> System.out.println("clusterForms passed after a node subscribed again: " + line)));
  }

  @Test
  @Order(2)
  @DisplayName("300 connections through HAProxy spread over the nodes; the access log has the real client address;"
    + " a client straight to a node, with no PROXY header, is closed with reason proxy-timeout; the C# consumer on node1's"
    + " TCP bridge hears every node, and the user verticle each node deploys live from the mounted config counts the whole"
    + " cluster's connects")
  void connectionsSpreadAndAccessLogShowsTheClient() throws Exception {
    List<Wire> clients = new ArrayList<>();
    String noCSharp = CSharpConsumer.whyNot();
    if (noCSharp != null) {
      System.out.println("Not checking the C# consumer on the TCP bridge across the cluster: " + noCSharp);
    }
    // deployed live on every node for this step, removed after: its cluster-wide consumer of echo.connections makes a
    // draining node publish its connection events to the others, where Vert.x 5.2.3 logs a stack trace (see verticles.md)
    String plain = Files.readString(confDir.resolve("config.json"));
    AtomicFile.write(confDir.resolve("config.json"), new JsonObject(plain).put("verticles", new JsonArray().add(new JsonObject()
      .put("name", ALERTS_VERTICLE).put("config", new JsonObject().put("maxConnects", ALERT_AFTER).put("windowSeconds", 3600)))).encodePrettily());
    NODES.forEach(node -> await(node + " running the alert verticle", Duration.ofSeconds(30), () -> verticles(node),
      list -> list.size() == 1 && ALERTS_VERTICLE.equals(list.getJsonObject(0).getString("name"))
        && "running".equals(list.getJsonObject(0).getString("state"))));
    try (CSharpConsumer consumer = noCSharp == null ? CSharpConsumer.start(baseDir, containerAddress(containers.get("node1")), 7000) : null) {
      if (consumer != null) {
        // every node's summary first: its registrations (connection events first) are in place
        await("the C# consumer on node1 hearing every node's summary", Duration.ofSeconds(30), () -> nodeIds(consumer.bodies("echo.nodes")),
          ids -> ids.size() == NODES.size());
      }
      connectionsSpread(clients);
      if (consumer != null) {
        await("the C# consumer on node1 hearing connection events of every node", Duration.ofSeconds(20),
          () -> nodeIds(consumer.bodies("echo.connections")), ids -> ids.size() == NODES.size());
        // node1's alert verticle counted more connects than any one node had: it heard the whole cluster's
        await("an alert from node1's user verticle", Duration.ofSeconds(20), () -> consumer.bodies("echo.alerts"),
          alerts -> alerts.stream().anyMatch(alert -> alert.getInteger("connects") > ALERT_AFTER));
      }
    } finally {
      AtomicFile.write(confDir.resolve("config.json"), plain);
    }
    NODES.forEach(node -> await(node + " without the alert verticle", Duration.ofSeconds(30), () -> verticles(node), JsonArray::isEmpty));
  }

  private JsonArray verticles(String node) {
    JsonObject stats = project.stats(containers.get(node));
    return stats == null ? new JsonArray().add("no stats") : stats.getJsonObject("node").getJsonArray("verticles", new JsonArray());
  }

  private static Set<String> nodeIds(List<JsonObject> bodies) {
    return bodies.stream().map(body -> body.getString(body.containsKey("event") ? "node" : "id")).collect(java.util.stream.Collectors.toSet());
  }

  private void connectionsSpread(List<Wire> clients) throws IOException {
    try (Socket silent = new Socket(containerAddress(containers.get("node1")), 9999)) {
      silent.setSoTimeout(20_000);
      try {
        openThroughHaproxy(300, clients);
        Map<String, Long> active = await("300 connections counted by the nodes", Duration.ofSeconds(20),
          this::activeByNode, counts -> counts.values().stream().mapToLong(Long::longValue).sum() == 300);
        active.forEach((node, count) -> assertTrue(count >= 50, "node " + node + " holds " + count + " of 300: " + active));
      } finally {
        clients.forEach(Wire::close);
      }
      assertEquals(-1, silent.getInputStream().read(), "node1 sent bytes to a client that sent no PROXY header");
    }
    NODES.forEach(node -> await(node + "'s clients gone", Duration.ofSeconds(20), () -> activeByNode().get(node), count -> count == 0));
    await("node1 counting the silent client as proxy-timeout", Duration.ofSeconds(10), () -> project.stats(containers.get("node1")),
      stats -> stats != null && stats.getJsonObject("node").getJsonObject("closed").getLong("proxy-timeout", 0L) == 1);

    // HAProxy logs each connection with the client address it saw; a node logs the same address, not HAProxy's own.
    String haproxyLog = project.logs(project.container("haproxy"));
    Matcher proxied = Pattern.compile("(?m)^(\\d+\\.\\d+\\.\\d+\\.\\d+):(\\d+) \\[[^]]+] echo nodes/").matcher(haproxyLog);
    assertTrue(proxied.find(), "HAProxy logged no connection:\n" + haproxyLog);
    String haproxyAddress = containerAddress(project.container("haproxy"));
    assertNotEquals(haproxyAddress, proxied.group(1), "the client address HAProxy saw is its own");
    String accessLines = NODES.stream().map(node -> project.logs(containers.get(node))).reduce("", String::concat);
    String client = proxied.group(1) + ":" + proxied.group(2);
    assertTrue(accessLines.contains("ACCESS client=" + client + " port=9999 "), "no access log line for " + client);
    assertTrue(!accessLines.contains("ACCESS client=" + haproxyAddress + ":"), "a node logged HAProxy's address as a client");
  }

  @Test
  @Order(3)
  @DisplayName("kill -9 of a node: the survivors list 2 nodes within 10 s and echo through HAProxy keeps working; restarted, it rejoins")
  void killedNodeLeavesAndRejoins() {
    project.docker("kill", "-s", "KILL", containers.get("node3"));
    for (String survivor : List.of("node1", "node2")) {
      await(survivor + " listing 2 nodes", Duration.ofSeconds(10), () -> project.clusterSize(containers.get(survivor)), size -> size == 2);
    }
    for (int i = 0; i < 10; i++) {
      assertEcho("after the kill " + i);
    }
    for (String survivor : List.of("node1", "node2")) {
      await(survivor + " logging node3's death in one line", Duration.ofSeconds(10), () -> project.logs(containers.get(survivor)),
        logs -> logs.contains("Cluster member lost: "));
    }
    project.compose("start", "node3");
    awaitReady("node3");
    NODES.forEach(node -> awaitClusterSize(node, 3));
    assertEcho("after the rejoin");
  }

  @Test
  @Order(4)
  @DisplayName("Stopping a node that holds clients: they are told the server shuts down, its /ready is 503, new clients go elsewhere")
  void stoppedNodeDrains() throws Exception {
    String node2 = containers.get("node2");
    List<Wire> clients = new ArrayList<>();
    ExecutorService readers = Executors.newCachedThreadPool();
    Process stop = null;
    try {
      openThroughHaproxy(30, clients);
      long held = await("node2 holding clients", Duration.ofSeconds(20), () -> activeByNode(),
        counts -> counts.values().stream().mapToLong(Long::longValue).sum() == 30).get("node2");
      assertTrue(held > 0, "HAProxy gave node2 none of 30 clients");
      Set<Wire> told = ConcurrentHashMap.newKeySet();
      clients.forEach(client -> readers.execute(() -> {
        if ("Server shutting down".equals(readQuietly(client))) {
          told.add(client);
        }
      }));
      stop = project.composeAsync("stop", "--timeout", String.valueOf(DRAIN_UNTIL_CLIENTS_LEAVE), "node2");
      await("node2's /ready answering 503", Duration.ofSeconds(15), () -> project.get(node2, "/ready"), reply -> reply.status() == 503);
      await(held + " clients of node2 told it shuts down", Duration.ofSeconds(15), told::size, count -> count == held);
      // The balancer's port looked up once: each lookup runs docker-compose, and ten of them on a busy machine
      // outlasted the drain, so that the echoes did not run while node2 drained.
      int lbPort = project.lbPort();
      for (int i = 0; i < 10; i++) {
        assertEcho(lbPort, "while node2 drains " + i);
      }
    } finally {
      clients.forEach(Wire::close);
      readers.shutdownNow();
    }
    assertTrue(stop.waitFor(60, TimeUnit.SECONDS), "docker-compose stop node2 did not finish");
    String stopped = project.logs(node2);
    assertTrue(stopped.contains(STOPPING) && stopped.strip().endsWith("Stopped"),
      () -> stopFailure(node2, stopped));
    // Read from its log once it has stopped, not from its /stats, which answers only until the drain ends.
    assertFalse(stopped.substring(stopped.indexOf(STOPPING)).contains("New client accepted"),
      () -> "node2 accepted a client while draining:\n" + stopped);
    project.compose("start", "node2");
    awaitReady("node2");
    NODES.forEach(node -> awaitClusterSize(node, 3));
    // Quiet lifecycle: a kill, a restart and a drain left no stack trace in any node's log (checked after node2 is
    // back, so that a failure here does not leave the later tests a node short).
    for (String node : NODES) {
      String traces = exceptionLines(project.logs(containers.get(node)));
      assertTrue(traces.isEmpty(), () -> node + " logged a stack trace:\n" + traces + "\n(" + node + ")");
    }
  }

  @Test
  @Order(5)
  @DisplayName("A change of the mounted conf/config.json is applied by every node")
  void configChangeReachesEveryNode() throws IOException {
    int instances = listeningInstances(containers.get("node1")) + 1;
    JsonObject config = new JsonObject(Files.readString(confDir.resolve("config.json"))).put("instances", instances);
    AtomicFile.write(confDir.resolve("config.json"), config.encodePrettily());
    NODES.forEach(node -> await(node + " running " + instances + " echo instances", Duration.ofSeconds(30),
      () -> listeningInstances(containers.get(node)), count -> count == instances));
    assertEcho("after the config change");
  }

  @Test
  @Order(6)
  @DisplayName("A fourth node (profile extra) joins every node's view and serves clients through HAProxy")
  void fourthNodeJoinsAndServes() {
    project.enableExtraNodes();
    project.compose("up", "-d", "extra");
    String extra = project.container("extra");
    containers.put("extra", extra);
    awaitReady("extra");
    Stream.concat(NODES.stream(), Stream.of("extra")).forEach(node -> awaitClusterSize(node, 4));
    // HAProxy finds the new node by DNS and checks it before sending it clients: open clients, held, until one lands there.
    List<Wire> clients = new ArrayList<>();
    try {
      await("HAProxy giving the fourth node a client", Duration.ofSeconds(30), () -> {
        openThroughHaproxy(1, clients);
        return project.stats(extra);
      }, stats -> stats != null && stats.getJsonObject("node").getLong("active") > 0);
    } finally {
      clients.forEach(Wire::close);
    }
  }

  @Test
  @Order(7)
  @DisplayName("Two against two: with a fourth node, node1 and node2 cut off from node3 and the fourth; each half counts"
    + " itself, echoes and stays ready; after the heal every node lists all four with exact totals and hears every node")
  void twoAgainstTwo() {
    String whyNot = NetworkFault.whyUnavailable();
    assumeTrue(whyNot == null, () -> "Skipping two against two: " + whyNot);
    String extra = "extra";
    cluster.adopt(extra);
    List<String> nodes = cluster.nodes();
    nodes.forEach(cluster::awaitReady);
    Map<String, String> ids = new LinkedHashMap<>();
    nodes.forEach(node -> ids.put(node, cluster.id(node)));
    Set<String> all = new TreeSet<>(ids.values());
    nodes.forEach(node -> cluster.awaitView(node, all, 0, ComposeCluster.HEALED));
    Map<String, ComposeCluster.Counts> before = cluster.counts();
    List<String> left = List.of("node1", "node2");
    List<String> right = List.of("node3", extra);
    List<Wire> clients = new ArrayList<>();
    List<NetworkFault> faults = right.stream().map(node -> new NetworkFault(cluster.project, cluster.container(node))).toList();
    try {
      cluster.openThroughHaproxy(80, clients);
      Map<String, Long> held = await("80 clients counted by the nodes", Duration.ofSeconds(20), cluster::activeByNode,
        counts -> counts.values().stream().mapToLong(Long::longValue).sum() == 80);
      nodes.forEach(node -> cluster.awaitView(node, all, 80, Duration.ofSeconds(20)));

      long cut = System.nanoTime();
      List<String> leftAddresses = left.stream().map(cluster::address).toList();
      faults.forEach(fault -> fault.cut(leftAddresses));
      try {
        for (List<String> half : List.of(left, right)) {
          Set<String> halfIds = new TreeSet<>(half.stream().map(ids::get).toList());
          long halfActive = half.stream().mapToLong(held::get).sum();
          half.forEach(node -> cluster.awaitView(node, halfIds, halfActive, ComposeCluster.SPLIT));
          List<String> other = half == left ? right : left;
          half.forEach(node -> cluster.awaitLost(node, other.stream().map(ids::get).toList()));
        }
        long split = System.nanoTime();
        ComposeCluster.assertEchoes(clients, "while cut in halves");
        nodes.forEach(node -> assertEquals(200, cluster.project.get(cluster.container(node), "/ready").status(),
          node + " is not ready while cut in halves"));
        System.out.printf("two against two: both halves split (views, and Hazelcast's members) %.1f s after the cut"
          + " (node1, node2: %d clients; node3, extra: %d clients)%n", (split - cut) / 1e9, held.get("node1") + held.get("node2"), held.get("node3") + held.get(extra));
      } finally {
        faults.forEach(NetworkFault::heal);
      }

      long healed = System.nanoTime();
      nodes.forEach(node -> cluster.awaitView(node, all, 80, ComposeCluster.HEALED));
      long whole = System.nanoTime();
      nodes.forEach(node -> clients.add(cluster.connectAs(node, ComposeCluster.MARKED_HOST)));
      nodes.forEach(node -> cluster.awaitView(node, all, 84, Duration.ofSeconds(20)));
      ComposeCluster.assertEchoes(clients, "after the heal");
      System.out.printf("two against two: views whole (4 nodes, 80 clients) on every node %.1f s after the heal%n",
        (whole - healed) / 1e9);
    } finally {
      clients.forEach(Wire::close);
    }
    nodes.forEach(node -> cluster.awaitView(node, all, 0, Duration.ofSeconds(20)));
    // The test's 80 clients through HAProxy and 4 straight to the nodes, all closed by the test.
    Map<String, ComposeCluster.Counts> since = cluster.assertReconciled("two against two", before, 84, 0, Map.of("client-closed", 84L));
    System.out.println("two against two: the nodes' counts since the scenario began " + since + "; the test opened 84, closed 84");
  }

  @Test
  @Order(8)
  @DisplayName("docker-compose down leaves no container of the project")
  void downRemovesEverything() {
    project.compose("down", "--remove-orphans", "--timeout", "20");
    assertEquals(List.of(), project.allContainers());
  }

  /** A container's address on the project's bridge network (reachable from this host). */
  private String containerAddress(String container) {
    return project.docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", container).strip();
  }

  private void awaitReady(String node) {
    await(node + " ready", READY, () -> project.get(containers.get(node), "/ready"), reply -> reply.status() == 200);
  }

  private void awaitClusterSize(String node, int size) {
    await(node + " listing " + size + " nodes", Duration.ofSeconds(30), () -> project.clusterSize(containers.get(node)), n -> n == size);
  }

  /** Each of the three nodes' open connections, as its /stats counts them (-1 when it does not answer). */
  private Map<String, Long> activeByNode() {
    Map<String, Long> active = new TreeMap<>();
    for (String node : NODES) {
      JsonObject stats = project.stats(containers.get(node));
      active.put(node, stats == null ? -1L : stats.getJsonObject("node").getLong("active"));
    }
    return active;
  }

  private int listeningInstances(String container) {
    JsonObject stats = project.stats(container);
    return stats == null ? -1 : (int) stats.getJsonObject("node").getJsonArray("instances").stream()
      .filter(instance -> !((JsonObject) instance).getBoolean("draining", false)).count();
  }

  /** Opens {@code count} clients through HAProxy into {@code clients} (for the caller to close), each greeted. */
  private void openThroughHaproxy(int count, List<Wire> clients) {
    int port = project.lbPort();
    for (int i = 0; i < count; i++) {
      Wire client = Wire.connect(port);
      clients.add(client);
      assertEquals("Welcome to my server", client.readLine());
    }
  }

  /** One client through HAProxy: greeting, one echoed line, then the quit command. */
  private void assertEcho(String line) {
    assertEcho(project.lbPort(), line);
  }

  private void assertEcho(int lbPort, String line) {
    try (Wire client = Wire.connect(lbPort)) {
      assertEquals("Welcome to my server", client.readLine());
      client.send(line + "\n");
      assertEquals(line, client.readLine());
      client.send("exit\n");
      assertEquals("Bye", client.readLine());
    }
  }

  /**
   * The lines of a log that name an exception or are a stack frame, each after the line before it, at most 60: a failure
   * message short enough to be read whole where CI shows only part of its output (the whole logs are in the test's
   * output file). Left out, and printed instead: Vert.x's blocked-thread warnings of a node still starting (after the
   * launcher's {@code Starting clustering...}, before {@code vertx-echo listening on}). A cold JVM's start runs on an
   * event loop (Vert.x's own clustered start, then the verticles' deploys): class loading from the jar, Netty's allocator,
   * the routers, no waiting on anything but the CPU; about 0.5 s of it in one task on a quiet machine (measured with a
   * 150 ms limit: every frame in class loading, Netty's setup and Vert.x core), which a machine whose 2 cores run 20
   * threads stretches past the 5 s after which the warning carries a stack trace. A warning while a node serves fails.
   */
  private static String exceptionLines(String logs) {
    List<String> lines = logs.lines().toList();
    List<String> shown = new ArrayList<>();
    boolean serving = false;
    boolean startupWarning = false;
    for (int i = 0; i < lines.size() && shown.size() < 60; i++) {
      String line = lines.get(i);
      if (line.contains("Starting clustering...")) {
        serving = false;
      } else if (line.contains("vertx-echo listening on ")) {
        serving = true;
      }
      if (!serving && line.contains("BlockedThreadChecker") && line.contains(" has been blocked for ")) {
        startupWarning = true;
        System.out.println("A node's event loop blocked while it started (load, not a fault): " + line);
        continue;
      }
      if (startupWarning && (line.startsWith("\tat ") || line.startsWith("io.vertx.core.VertxException: Thread blocked"))) {
        continue;
      }
      startupWarning = false;
      if (isException(line)) {
        if (i > 0 && !isException(lines.get(i - 1))) {
          shown.add(lines.get(i - 1));
        }
        shown.add(line);
      }
    }
    return String.join("\n", shown);
  }

  /**
   * Why node2's log lacks its stop lines, for a message that CI may show only the start or the end of: the container's
   * exit (a SIGKILL at the end of compose's stop_grace_period is 137), the log's size, and its last lines, with the
   * summary again after them.
   */
  private String stopFailure(String container, String logs) {
    String state = project.docker("inspect", "-f",
      "exit code {{.State.ExitCode}}, OOM killed {{.State.OOMKilled}}, started {{.State.StartedAt}}, finished {{.State.FinishedAt}}",
      container).strip();
    String summary = "node2's log does not show its stop in one line each (container: " + state + "; the log has "
      + logs.lines().count() + " lines, \"" + STOPPING + "\" " + (logs.contains(STOPPING) ? "present" : "absent") + ")";
    return summary + "; its last lines:\n" + lastLines(logs, 40) + "\n" + summary;
  }

  private static boolean isException(String line) {
    return line.contains("\tat ") || line.contains("Exception");
  }

  private static String lastLines(String logs, int count) {
    List<String> lines = logs.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
  }

  private static String readQuietly(Wire client) {
    try {
      return client.readLine();
    } catch (RuntimeException closed) {
      return null;
    }
  }
}
