package io.vertxecho.cluster;

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
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.vertxecho.cluster.ComposeCluster.HEALED;
import static io.vertxecho.cluster.ComposeCluster.MARKED_HOST;
import static io.vertxecho.cluster.ComposeCluster.NODES;
import static io.vertxecho.cluster.ComposeCluster.SPLIT;
import static io.vertxecho.cluster.ComposeCluster.assertEchoes;
import static io.vertxecho.cluster.ComposeProject.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Faults a real deployment meets, made for real on the compose cluster: a network partition and its heal, a rolling
 * restart under load, a lossy link (two halves of a four-node cluster are cut apart in ComposeClusterIT, which starts
 * the fourth node). Runs wherever
 * the compose cluster test runs and this host can enter a container's network namespace (root, iptables: .ci/run
 * installs it); skipped, saying why, elsewhere. Each step prints its figures (docs/reliability.md records them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ComposeFaultsIT {

  /** The load of the rolling restart: long-lived sessions, and short connections a second (through HAProxy). */
  private static final int SESSIONS = 8;
  private static final int SHORT_PER_SECOND = 200;
  /** The lossy link: the share of node3's packets dropped, both ways, and for how long (-Dit.loss.share, -Dit.loss.seconds). */
  private static final double LOSS_SHARE = Double.parseDouble(System.getProperty("it.loss.share", "0.05"));
  private static final Duration LOSS_DURATION = Duration.ofSeconds(Integer.getInteger("it.loss.seconds", 20));
  /** The nodes' drain: sessions are told, then closed after it (conf/config.json's shutdownGraceSeconds). */
  private static final int GRACE_SECONDS = 5;
  /** How long after the heal every bridge client must have heard a new client on every node (4 refresh periods). */
  private static final Duration MARKED_HEARD = Duration.ofSeconds(20);
  private static final Duration MARK_ROUND = Duration.ofSeconds(3);

  private final Path baseDir = Path.of(System.getProperty("it.basedir", ".")).toAbsolutePath();
  private ComposeCluster cluster;
  private String skipped;

  @RegisterExtension
  final TestWatcher printLogsOnFailure = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      if (cluster != null) {
        cluster.printLogs(context.getDisplayName());
      }
    }
  };

  /** Builds the image and starts the nodes, up to their health check's start period on a busy host (the default 120 s is short). */
  @BeforeAll
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void startCluster() throws IOException {
    BaseImages.Choice images = ComposeCluster.baseImages(baseDir);
    String whyNot = images.unavailable() != null ? images.unavailable() : NetworkFault.whyUnavailable();
    if (whyNot != null) {
      skipped = "Skipping the compose fault tests: " + whyNot;
      System.out.println(skipped);
      return;
    }
    cluster = ComposeCluster.start(baseDir, images, config -> config.put("shutdownGraceSeconds", GRACE_SECONDS));
  }

  @BeforeEach
  void needsDocker() {
    assumeTrue(skipped == null, skipped);
  }

  @AfterAll
  void removeCluster() {
    if (cluster != null) {
      cluster.remove();
    }
  }

  @Test
  @Order(1)
  @DisplayName("Partition: node3 cut off from node1 and node2 (its clients still reach it); each side counts itself and stays"
    + " ready; after the heal every node lists all 3 with exact totals, hears every node, and so do its bridge clients")
  void partitionAndHeal() {
    NODES.forEach(cluster::awaitReady);
    Map<String, String> ids = new LinkedHashMap<>();
    NODES.forEach(node -> ids.put(node, cluster.id(node)));
    Set<String> all = new TreeSet<>(ids.values());
    NODES.forEach(node -> cluster.awaitView(node, all, 0, HEALED));
    Map<String, ComposeCluster.Counts> before = cluster.counts();
    List<BridgeWatcher> watchers = new ArrayList<>();
    List<Wire> clients = new ArrayList<>();
    NetworkFault fault = new NetworkFault(cluster.project, cluster.container("node3"));
    try {
      NODES.forEach(node -> watchers.add(BridgeWatcher.connect(node, cluster.http(node))));
      cluster.openThroughHaproxy(90, clients);
      Map<String, Long> held = await("90 clients counted by the nodes", Duration.ofSeconds(20), cluster::activeByNode,
        counts -> counts.values().stream().mapToLong(Long::longValue).sum() == 90);
      NODES.forEach(node -> cluster.awaitView(node, all, 90, Duration.ofSeconds(20)));

      long cut = System.nanoTime();
      fault.cut(List.of(cluster.address("node1"), cluster.address("node2")));
      try {
        cluster.awaitView("node3", Set.of(ids.get("node3")), held.get("node3"), SPLIT);
        Set<String> majority = new TreeSet<>(Set.of(ids.get("node1"), ids.get("node2")));
        for (String node : List.of("node1", "node2")) {
          cluster.awaitView(node, majority, held.get("node1") + held.get("node2"), SPLIT);
        }
        long split = System.nanoTime();
        // Hazelcast has split in two clusters (each side dropped the other), so the heal takes a merge.
        for (String node : List.of("node1", "node2")) {
          cluster.awaitLost(node, List.of(ids.get("node3")));
        }
        cluster.awaitLost("node3", List.of(ids.get("node1"), ids.get("node2")));
        assertEchoes(clients, "while cut");
        NODES.forEach(node -> assertEquals(200, cluster.project.get(cluster.container(node), "/ready").status(),
          node + " is not ready while cut: a node echoes its clients whatever its cluster"));
        cluster.assertEcho("a new client while cut");
        System.out.printf("partition: views split %.1f s after the cut (node3: 1 node, %d clients; node1, node2: 2 nodes, %d"
          + " clients); %d held clients echoed while cut%n", seconds(cut, split), held.get("node3"),
          held.get("node1") + held.get("node2"), clients.size());
      } finally {
        fault.heal();
      }

      long healed = System.nanoTime();
      NODES.forEach(node -> cluster.awaitView(node, all, 90, HEALED));
      long whole = System.nanoTime();
      for (BridgeWatcher watcher : watchers) {
        await(watcher.describe(healed) + " hearing every node", Duration.ofSeconds(20), () -> watcher.summariesFrom(healed),
          heard -> heard.equals(all));
      }
      int marked = markUntilHeard(clients, watchers, healed, all);
      NODES.forEach(node -> cluster.awaitView(node, all, 90 + marked, Duration.ofSeconds(20)));
      assertEchoes(clients, "after the heal");
      long resubscribed = NODES.stream().mapToLong(node -> ComposeCluster.lines(cluster.logs(node), "Subscribing again").size()).sum();
      System.out.printf("partition: healed views whole (3 nodes, 90 clients) on every node %.1f s after the heal;"
        + " %d \"Subscribing again\" lines%n", seconds(healed, whole), resubscribed);
    } finally {
      clients.forEach(Wire::close);
      watchers.forEach(BridgeWatcher::close);
    }
    NODES.forEach(node -> cluster.awaitView(node, all, 0, Duration.ofSeconds(20)));
    // The test's connections: 90 held and the marked ones, closed by the test; one through HAProxy while cut, ended by exit.
    int opened = clients.size() + 1;
    Map<String, ComposeCluster.Counts> since = cluster.assertReconciled("partition", before, opened, 0,
      Map.of("client-closed", (long) clients.size(), "quit", 1L));
    System.out.printf("partition: the nodes' counts since the scenario began %s; the test opened %d, closed %d, 1 quit%n", since,
      opened, clients.size());
  }

  @Test
  @Order(2)
  @DisplayName("Rolling restart under load: node1, node2, node3 restarted in turn, each waited ready, while short connections"
    + " and long-lived sessions run through HAProxy: no failed connect, no reset, no wrong byte; sessions told and closed"
    + " after their grace; every connection in the nodes' access logs")
  void rollingRestartUnderLoad() {
    NODES.forEach(cluster::awaitReady);
    NODES.forEach(node -> await(node + " listing 3 nodes", HEALED, () -> cluster.view(node).ids().size(), size -> size == 3));
    LocalTime loadStart = LocalTime.now(ZoneOffset.UTC);
    LoadGenerator load = LoadGenerator.start("127.0.0.1", cluster.lbPort(), SESSIONS, SHORT_PER_SECOND);
    try {
      long start = System.nanoTime();
      for (String node : NODES) {
        cluster.project.compose("stop", node);
        cluster.project.compose("start", node);
        cluster.awaitReady(node);
        NODES.forEach(each -> await(each + " listing 3 nodes after " + node + "'s restart", HEALED,
          () -> cluster.view(each).ids().size(), size -> size == 3));
      }
      long rolled = System.nanoTime();
      load.stop(Duration.ofSeconds(30));
      System.out.printf("rolling restart: %.1f s for 3 nodes; load: %s%n", seconds(start, rolled), load);
      List<String> haproxy = haproxyOutline();
      haproxy.forEach(line -> System.out.println("rolling restart: HAProxy: " + line));
      assertEquals(Map.of(), load.failures(), () -> load + "; HAProxy's log in short:\n" + String.join("\n", haproxy));
      assertTrue(load.sessionOutcomes().get(LoadGenerator.Outcome.ENDED_BY_DRAIN) > 0, () -> "no session was drained: " + load);
      assertTrue(load.shortestDrainMillis() >= GRACE_SECONDS * 1000L - 500,
        () -> "a session was closed before its grace of " + GRACE_SECONDS + " s: " + load);
      Map<String, Long> byReason = accessReasonsSince(loadStart);
      Map<LoadGenerator.Outcome, Long> shorts = load.shortOutcomes();
      Map<LoadGenerator.Outcome, Long> sessions = load.sessionOutcomes();
      long quit = shorts.get(LoadGenerator.Outcome.COMPLETED) + sessions.get(LoadGenerator.Outcome.ENDED_BY_TEST);
      assertEquals(Map.of("quit", quit, "shutdown", sessions.get(LoadGenerator.Outcome.ENDED_BY_DRAIN)), byReason,
        () -> "the nodes' access logs against the load: " + load);
      System.out.printf("rolling restart: access logs %s, load opened %d%n", byReason, load.opened());
      System.out.println("rolling restart: each node's counts since its restart, as its /stats and its access log agree: "
        + assertStatsMatchAccessLog("rolling restart"));
    } finally {
      load.close();
    }
  }

  @Test
  @Order(3)
  @DisplayName("Lossy link: 5 % of node3's packets dropped both ways for 20 s under load: no failed connection, and no"
    + " node's view ever short of 3 nodes")
  void lossyLink() {
    NODES.forEach(cluster::awaitReady);
    NODES.forEach(node -> await(node + " listing 3 nodes", HEALED, () -> cluster.view(node).ids().size(), size -> size == 3));
    LocalTime loadStart = LocalTime.now(ZoneOffset.UTC);
    int downsBefore = serverDowns();
    long retriesBefore = connectRetries();
    Map<String, ComposeCluster.Counts> before = cluster.counts();
    NetworkFault fault = new NetworkFault(cluster.project, cluster.container("node3"));
    LoadGenerator load = LoadGenerator.start("127.0.0.1", cluster.lbPort(), SESSIONS, SHORT_PER_SECOND / 2);
    Map<String, Integer> smallestView = new TreeMap<>();
    Map<String, Integer> unanswered = new TreeMap<>();
    try {
      fault.lose(LOSS_SHARE);
      long end = System.nanoTime() + LOSS_DURATION.toNanos();
      while (System.nanoTime() < end) {
        for (String node : NODES) {
          ComposeCluster.View view = cluster.view(node);
          if (view.active() < 0) {
            unanswered.merge(node, 1, Integer::sum);
          } else {
            smallestView.merge(node, view.ids().size(), Math::min);
          }
        }
        sleep(Duration.ofMillis(250));
      }
    } finally {
      fault.heal();
    }
    try {
      load.stop(Duration.ofSeconds(30));
      System.out.printf("lossy link: %.0f %% of node3's packets dropped both ways for %d s; smallest views %s (/stats"
          + " unanswered in 3 s: %s); HAProxy marked a node down %d times; load: %s%n", LOSS_SHARE * 100,
        LOSS_DURATION.toSeconds(), smallestView, unanswered, serverDowns() - downsBefore, load);
      assertEquals(Map.of(), load.failures(), load::toString);
      assertEquals(Map.of("node1", 3, "node2", 3, "node3", 3), smallestView, "a view short of 3 nodes while the link was lossy");
      Map<LoadGenerator.Outcome, Long> shorts = load.shortOutcomes();
      long quit = shorts.get(LoadGenerator.Outcome.COMPLETED) + load.sessionOutcomes().get(LoadGenerator.Outcome.ENDED_BY_TEST);
      // A connect HAProxy gave up on (no answer within timeout connect, a SYN-ACK lost) and sent to another node may
      // still complete at node3 a moment later: node3 then counts a connection closed before its PROXY header
      // (proxy-header, refused) that no client made. Each is one of HAProxy's retried connects.
      Map<String, Long> reasons = accessReasonsSince(loadStart);
      long abandoned = reasons.getOrDefault("proxy-header", 0L);
      long retried = connectRetries() - retriesBefore;
      assertTrue(abandoned <= retried, () -> abandoned + " connections closed before their PROXY header, " + retried
        + " connects HAProxy retried");
      Map<String, Long> expected = new TreeMap<>(Map.of("quit", quit));
      if (abandoned > 0) {
        expected.put("proxy-header", abandoned);
      }
      assertEquals(expected, reasons, () -> "the nodes' access logs against the load: " + load);
      Map<String, ComposeCluster.Counts> since = cluster.assertReconciled("lossy link", before, load.opened(), abandoned, expected);
      System.out.println("lossy link: the nodes' counts since the load began " + since + "; the load opened " + load.opened()
        + "; HAProxy retried " + retried + " connects, " + abandoned + " of them completed at a node after HAProxy gave up");
    } finally {
      load.close();
    }
  }

  /**
   * A restarted node's /stats counts only its current run, and its access log (a container's log keeps every run) holds
   * each connection it closed: for every node, the access lines since its last start ({@code vertx-echo listening on})
   * by reason are its /stats {@code closed}, their number its {@code accepted}, and nothing is left open. The access
   * lines are written asynchronously, so they are awaited.
   */
  private Map<String, ComposeCluster.Counts> assertStatsMatchAccessLog(String scenario) {
    Map<String, ComposeCluster.Counts> counts = new TreeMap<>();
    for (String node : NODES) {
      ComposeCluster.Counts stats = await(scenario + ": " + node + "'s /stats agreeing with its access log since its start",
        Duration.ofSeconds(20), () -> cluster.counts().get(node),
        now -> now != null && now.active() == 0 && now.closed().equals(accessReasonsOfCurrentRun(node)));
      assertEquals(stats.closedTotal(), stats.accepted() + stats.rejected(), () -> scenario + ": " + node + " " + stats);
      counts.put(node, stats);
    }
    return counts;
  }

  /** A node's access-log lines since it last started, counted by their reason. */
  private Map<String, Long> accessReasonsOfCurrentRun(String node) {
    List<String> lines = cluster.logs(node).lines().toList();
    int start = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("vertx-echo listening on ")) {
        start = i;
      }
    }
    Map<String, Long> reasons = new TreeMap<>();
    lines.subList(start, lines.size()).stream().filter(line -> line.contains(" ACCESS "))
      .forEach(line -> reasons.merge(reason(line), 1L, Long::sum));
    return reasons;
  }

  private static String reason(String accessLine) {
    return accessLine.substring(accessLine.indexOf("reason=") + "reason=".length()).strip();
  }

  /** The connects HAProxy has retried so far (the retries field of its tcplog lines, {@code +N} when redispatched). */
  private long connectRetries() {
    Pattern retries = Pattern.compile(" echo nodes/\\S+ \\S+ \\d+ \\S\\S \\S+/\\S+/\\S+/\\S+/\\+?(\\d+) ");
    return cluster.project.logs(cluster.project.container("haproxy")).lines().map(retries::matcher).filter(Matcher::find)
      .mapToLong(matcher -> Long.parseLong(matcher.group(1))).sum();
  }

  /** How many times HAProxy has logged a server going down. */
  private int serverDowns() {
    return (int) cluster.project.logs(cluster.project.container("haproxy")).lines()
      .filter(line -> line.startsWith("Server nodes/") && line.contains(" is DOWN")).count();
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /**
   * HAProxy's log (option tcplog) in short: the connections that did not end normally (a termination state other than
   * {@code --}), its servers going down and up, and how many connections it had to retry on another node.
   */
  private List<String> haproxyOutline() {
    Pattern tcplog = Pattern.compile(" echo nodes/\\S+ \\S+ \\d+ (\\S\\S) \\S+/\\S+/\\S+/\\S+/(\\+?)\\d+ ");
    List<String> outline = new ArrayList<>();
    long retried = 0;
    for (String line : cluster.project.logs(cluster.project.container("haproxy")).lines().toList()) {
      Matcher matcher = tcplog.matcher(line);
      if (!matcher.find()) {
        if (line.startsWith("Server nodes/")) {
          outline.add(line);
        }
      } else if (!matcher.group(1).equals("--")) {
        outline.add(line);
      } else if (!matcher.group(2).isEmpty()) {
        retried++;
      }
    }
    outline.add(retried + " connections retried on another node, then served");
    return outline;
  }

  /**
   * The nodes' access-log lines logged at or after {@code since} (their clock, UTC: the containers share this host's),
   * counted by their reason. A node's log keeps the lines of its earlier runs; each line starts with its time.
   */
  private Map<String, Long> accessReasonsSince(LocalTime since) {
    Map<String, Long> reasons = new TreeMap<>();
    for (String node : NODES) {
      for (String line : ComposeCluster.lines(cluster.logs(node), " ACCESS ")) {
        if (!LocalTime.parse(line.substring(0, line.indexOf(' '))).isBefore(since)) {
          reasons.merge(reason(line), 1L, Long::sum);
        }
      }
    }
    return reasons;
  }

  /**
   * Every node's connection events reach every bridge client after the heal: a client straight to each node, marked
   * by its PROXY header, and another round every {@link #MARK_ROUND} until each watcher was told of one on every node;
   * fails after {@link #MARKED_HEARD}. Each node's lists of subscribers catch up with the merge within
   * {@code RefreshingClusterManager.REFRESH_MILLIS} (docs/reliability.md), and an event published before they did may
   * miss the far side, once; without that refresh a list can stay behind for good, and no round is heard. Returns the
   * marked clients opened (added to {@code clients}).
   */
  private int markUntilHeard(List<Wire> clients, List<BridgeWatcher> watchers, long healed, Set<String> all) {
    int marked = 0;
    long end = System.nanoTime() + MARKED_HEARD.toNanos();
    List<String> deaf = List.of();
    do {
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("Waited " + MARKED_HEARD.toSeconds() + " s (" + marked + " marked clients) for every bridge"
          + " client to be told of a marked client on every node (" + all + "); still not: " + deaf);
      }
      NODES.forEach(node -> clients.add(cluster.connectAs(node, MARKED_HOST)));
      marked += NODES.size();
      long roundEnd = System.nanoTime() + MARK_ROUND.toNanos();
      do {
        sleep(Duration.ofMillis(250));
        deaf = new ArrayList<>();
        for (BridgeWatcher watcher : watchers) {
          Set<String> told = watcher.connectionsFrom(healed, MARKED_HOST);
          if (!told.equals(all)) {
            deaf.add(watcher.describe(healed) + ", told of marked clients on " + told);
          }
        }
      } while (!deaf.isEmpty() && System.nanoTime() - roundEnd < 0);
    } while (!deaf.isEmpty());
    System.out.printf("partition: every bridge client told of a marked client on every node, after %d marked clients%n", marked);
    return marked;
  }

  private static double seconds(long from, long to) {
    return (to - from) / 1e9;
  }
}
