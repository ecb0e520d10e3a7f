package io.vertxecho.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertxecho.Wire;

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
import java.util.function.UnaryOperator;

import static io.vertxecho.cluster.ComposeProject.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The compose cluster a test class runs its steps on: node1..node3 behind HAProxy, started from the built jar with a
 * config of the test's, and what the steps ask of it (readiness, each node's view, clients through HAProxy or straight
 * to a node).
 */
final class ComposeCluster {

  static final List<String> NODES = List.of("node1", "node2", "node3");
  static final String GREETING = "Welcome to my server";
  /** How long after a cut each side's view shows only its side: Hazelcast drops a silent member after 10 s. */
  static final Duration SPLIT = Duration.ofSeconds(30);
  /**
   * How long after the heal every node's view is whole again (docs/reliability.md): the smaller side's master looks for
   * the other side every 5 s (cluster.xml), waits at most 5 s for an answer, merges in about a second, and the next
   * summaries (every second) complete the views. Measured: 3 to 8 s.
   */
  static final Duration HEALED = Duration.ofSeconds(30);
  /** A host no real client comes from (TEST-NET-2), for the clients this test sends straight to a node. */
  static final String MARKED_HOST = "198.51.100.27";
  private static final Duration READY = Duration.ofSeconds(120);

  final ComposeProject project;
  final Path confDir;
  private final Map<String, String> containers = new LinkedHashMap<>();
  /** HAProxy's published port, read once (HAProxy never restarts here; docker-compose takes a second under load). */
  private int lbPort;

  private ComposeCluster(ComposeProject project, Path confDir) {
    this.project = project;
    this.confDir = confDir;
  }

  /**
   * The base images the cluster is built on, as the compose cluster test chooses them (official, or local ones made
   * from Debian packages), or why a compose cluster cannot run here: no Docker engine, no jar, no base images.
   */
  static BaseImages.Choice baseImages(Path baseDir) throws IOException {
    String noDocker = ComposeProject.whyNoDocker();
    if (noDocker != null) {
      return new BaseImages.Choice(null, noDocker);
    }
    if (!Files.isRegularFile(baseDir.resolve("target/vertx-echo.jar"))) {
      return new BaseImages.Choice(null, "no target/vertx-echo.jar (run by mvn verify)");
    }
    Path work = Files.createDirectories(baseDir.resolve("target/it-work"));
    return BaseImages.choose(baseDir, BaseImages.OFFICIAL, baseDir.resolve("cluster/offline-images.sh"), work.resolve("base-images.env"));
  }

  /** Builds the image on {@code images} and starts the project, with conf/config.json changed by {@code config}. */
  static ComposeCluster start(Path baseDir, BaseImages.Choice images, UnaryOperator<JsonObject> config) throws IOException {
    String name = "vertxechoit" + UUID.randomUUID().toString().substring(0, 8);
    Path confDir = Files.createDirectories(baseDir.resolve("target/it-work/" + name + "/conf"));
    JsonObject settings = config.apply(new JsonObject(Files.readString(baseDir.resolve("conf/config.json"))));
    Files.writeString(confDir.resolve("config.json"), settings.encodePrettily());
    ComposeCluster cluster = new ComposeCluster(new ComposeProject(baseDir, name, confDir), confDir);
    cluster.project.putEnv(images.env());
    cluster.project.compose("build", "node1");
    try {
      cluster.project.compose("up", "-d");
      NODES.forEach(node -> cluster.containers.put(node, cluster.project.container(node)));
      cluster.lbPort = cluster.project.lbPort();
      return cluster;
    } catch (RuntimeException | Error failed) {
      // A cluster that did not start is removed here, as no test class holds it: left running, it would slow every
      // later test and outlive the build. Interrupted (a start past its timeout), the removal still runs.
      boolean interrupted = Thread.interrupted();
      try {
        cluster.printLogs("docker-compose up");
        cluster.remove();
      } catch (RuntimeException removal) {
        failed.addSuppressed(removal);
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      throw failed;
    }
  }

  /** Every container's log and every node's /stats, so that a failure can be understood from the test report. */
  void printLogs(String after) {
    System.out.println("=== containers of " + project.name() + " after the failure of " + after);
    System.out.println(project.compose("ps"));
    System.out.println(project.compose("logs", "--no-color", "--tail", "300"));
    containers.forEach((node, container) -> {
      JsonObject stats = project.stats(container);
      System.out.println(node + "'s /stats: " + (stats == null ? "no answer" : stats.encode()));
    });
  }

  void remove() {
    try {
      project.compose("down", "--remove-orphans", "--timeout", "20");
    } finally {
      project.docker("image", "rm", "-f", project.image());
    }
  }

  /** HAProxy's port on this host's loopback. */
  int lbPort() {
    return lbPort;
  }

  /**
   * A cluster a test class started itself: {@code containers} by node name (node1 to node3; others join with
   * {@link #adopt}).
   */
  static ComposeCluster attach(ComposeProject project, Path confDir, Map<String, String> containers) {
    ComposeCluster cluster = new ComposeCluster(project, confDir);
    cluster.containers.putAll(containers);
    cluster.lbPort = project.lbPort();
    return cluster;
  }

  /** A node started since (the fourth, profile {@code extra}) is one of {@link #nodes()} from now on. */
  void adopt(String node) {
    containers.put(node, project.container(node));
  }

  /** The nodes of the cluster: node1 to node3, and the fourth once started. */
  List<String> nodes() {
    return List.copyOf(containers.keySet());
  }

  String container(String node) {
    return containers.get(node);
  }

  /** A node's address on the project's bridge network (reachable from this host). */
  String address(String node) {
    return project.docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", container(node)).strip();
  }

  /** The host:port a node's HTTP port is published on. */
  String http(String node) {
    return project.published(container(node), 8080);
  }

  String logs(String node) {
    return project.logs(container(node));
  }

  JsonObject stats(String node) {
    return project.stats(container(node));
  }

  /** A node's id, from its /stats. */
  String id(String node) {
    return await(node + "'s /stats", READY, () -> stats(node), stats -> stats != null).getJsonObject("node").getString("id");
  }

  void awaitReady(String node) {
    await(node + " ready", READY, () -> project.get(container(node), "/ready"), reply -> reply.status() == 200);
  }

  /** Waits until a node's view lists exactly {@code ids} and counts {@code active} connections over them. */
  void awaitView(String node, Set<String> ids, long active, Duration deadline) {
    await(node + " listing " + ids + " with " + active + " active", deadline, () -> view(node),
      view -> view.ids().equals(ids) && view.active() == active);
  }

  /** Waits until {@code node} has logged each of {@code lost} (node ids) as a member lost, not one that stopped. */
  void awaitLost(String node, List<String> lost) {
    await(node + " logging " + lost + " lost from its cluster", SPLIT, () -> ComposeCluster.lines(logs(node), "Cluster member lost: "),
      lines -> lost.stream().allMatch(id -> lines.stream().anyMatch(line -> line.contains("node " + id))));
  }

  /** A node's cluster view: the node ids it lists and the connections it counts over them ({@code -1}: no answer). */
  View view(String node) {
    JsonObject stats = stats(node);
    if (stats == null) {
      return new View(Set.of(), -1);
    }
    JsonObject cluster = stats.getJsonObject("cluster");
    Set<String> ids = new TreeSet<>();
    for (Object listed : cluster.getJsonArray("nodes", new JsonArray())) {
      ids.add(((JsonObject) listed).getString("id"));
    }
    return new View(ids, cluster.getLong("active"));
  }

  /** Each node's open connections, as its /stats counts them ({@code -1} when it does not answer). */
  Map<String, Long> activeByNode() {
    Map<String, Long> active = new TreeMap<>();
    for (String node : containers.keySet()) {
      JsonObject stats = stats(node);
      active.put(node, stats == null ? -1L : stats.getJsonObject("node").getLong("active"));
    }
    return active;
  }

  /** Opens {@code count} clients through HAProxy into {@code clients} (for the caller to close), each greeted. */
  void openThroughHaproxy(int count, List<Wire> clients) {
    for (int i = 0; i < count; i++) {
      Wire client = Wire.connect(lbPort);
      clients.add(client);
      assertEquals(GREETING, client.readLine());
    }
  }

  /** A client straight to a node (not through HAProxy) that says, in a PROXY v1 header, it comes from {@code host}. */
  Wire connectAs(String node, String host) {
    try {
      Wire client = Wire.over(new Socket(address(node), 9999));
      client.send("PROXY TCP4 " + host + " 192.0.2.1 40000 9999\r\n");
      assertEquals(GREETING, client.readLine(), node + "'s greeting");
      return client;
    } catch (IOException e) {
      throw new AssertionError("cannot connect to " + node + " at " + address(node) + ":9999", e);
    }
  }

  /** One client through HAProxy: greeting, one echoed line, then the quit command. */
  void assertEcho(String line) {
    try (Wire client = Wire.connect(lbPort)) {
      assertEquals(GREETING, client.readLine());
      client.send(line + "\n");
      assertEquals(line, client.readLine());
      client.send("exit\n");
      assertEquals("Bye", client.readLine());
    }
  }

  /**
   * Every client sends a line of its own and gets exactly it back. A connection closed instead says so: who closed it is
   * in the logs a failing test prints (HAProxy's termination state, the node's access-log reason).
   */
  static void assertEchoes(List<Wire> clients, String when) {
    for (int i = 0; i < clients.size(); i++) {
      String line = when + " " + i;
      clients.get(i).send(line + "\n");
      String echoed = clients.get(i).readLine();
      int client = i;
      assertEquals(line, echoed, () -> "client " + client + " " + when + (echoed == null
        ? ": its connection was closed (end of stream); HAProxy's log and the nodes' access logs below say by whom" : ""));
    }
  }

  static List<String> lines(String logs, String containing) {
    List<String> found = new ArrayList<>();
    logs.lines().filter(line -> line.contains(containing)).forEach(found::add);
    return found;
  }

  record View(Set<String> ids, long active) {
  }

  /** Each node's connection counts, from its /stats (a node that does not answer is missing). */
  Map<String, Counts> counts() {
    Map<String, Counts> counts = new TreeMap<>();
    for (String node : containers.keySet()) {
      JsonObject stats = stats(node);
      if (stats != null) {
        counts.put(node, Counts.of(stats.getJsonObject("node")));
      }
    }
    return counts;
  }

  /**
   * Nothing lost in the counts: once every node has closed what it held ({@code active} back to its count in
   * {@code before}), each node has closed exactly what it accepted or refused since {@code before}, and all of them
   * together accepted {@code accepted} connections, refused {@code refused}, and closed them for exactly the reasons
   * {@code closedByReason} (what the test's own clients did, counted by the test). Returns each node's counts since
   * {@code before}, for the scenario's figures.
   */
  Map<String, Counts> assertReconciled(String scenario, Map<String, Counts> before, long accepted, long refused,
    Map<String, Long> closedByReason) {
    Map<String, Counts> after = await(scenario + ": every node back to its open connections before it", Duration.ofSeconds(20),
      this::counts, counts -> counts.keySet().equals(before.keySet())
        && before.keySet().stream().allMatch(node -> counts.get(node).active() == before.get(node).active()));
    Map<String, Counts> since = new TreeMap<>();
    after.forEach((node, counts) -> since.put(node, counts.minus(before.get(node))));
    long acceptedByNodes = 0;
    long refusedByNodes = 0;
    Map<String, Long> closedByNodes = new TreeMap<>();
    for (Map.Entry<String, Counts> node : since.entrySet()) {
      Counts counts = node.getValue();
      assertEquals(counts.accepted() + counts.rejected(), counts.closedTotal(),
        () -> scenario + ": " + node.getKey() + " closed other than it accepted and refused: " + counts);
      acceptedByNodes += counts.accepted();
      refusedByNodes += counts.rejected();
      counts.closed().forEach((reason, count) -> closedByNodes.merge(reason, count, Long::sum));
    }
    long refusedSum = refusedByNodes;
    assertEquals(refused, refusedSum, () -> scenario + ": the nodes refused " + refusedSum + " connections (" + since + ")");
    long sum = acceptedByNodes;
    assertEquals(accepted, sum, () -> scenario + ": the nodes accepted " + sum + " connections, the test opened " + accepted
      + " (" + since + ")");
    assertEquals(new TreeMap<>(closedByReason), closedByNodes, () -> scenario + ": the nodes' closes by reason against the test's"
      + " (" + since + ")");
    return since;
  }

  /** A node's connection counts: accepted, refused ({@code rejected}), open ({@code active}), and closed by reason. */
  record Counts(long accepted, long rejected, long active, Map<String, Long> closed) {

    static Counts of(JsonObject node) {
      Map<String, Long> closed = new TreeMap<>();
      node.getJsonObject("closed", new JsonObject()).forEach(reason -> closed.put(reason.getKey(), ((Number) reason.getValue()).longValue()));
      return new Counts(node.getLong("accepted", 0L), node.getLong("rejected", 0L), node.getLong("active", 0L), closed);
    }

    /** What was counted since {@code before} (closes by reason that did not change are left out). */
    Counts minus(Counts before) {
      Map<String, Long> closedSince = new TreeMap<>();
      closed.forEach((reason, count) -> {
        long since = count - before.closed().getOrDefault(reason, 0L);
        if (since != 0) {
          closedSince.put(reason, since);
        }
      });
      return new Counts(accepted - before.accepted(), rejected - before.rejected(), active - before.active(), closedSince);
    }

    long closedTotal() {
      return closed.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public String toString() {
      return "accepted " + accepted + (rejected == 0 ? "" : ", refused " + rejected) + ", closed " + closed + ", active " + active;
    }
  }
}
