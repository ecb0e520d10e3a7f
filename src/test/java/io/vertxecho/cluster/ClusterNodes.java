package io.vertxecho.cluster;

import com.hazelcast.cluster.Address;
import com.hazelcast.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertxecho.DeployerVerticle;
import io.vertxecho.TestCertificates;
import io.vertxecho.HttpGet;
import io.vertxecho.config.ConfigLoader;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.internal.ClientTransport;
import io.vertxecho.internal.VertxInternals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clustered echo nodes in this JVM for one test: Hazelcast on 127.0.0.1 only, a cluster name of its own,
 * no wait before joining and short heartbeats; plus the client side (echo connections, GET /stats) and polling.
 */
final class ClusterNodes implements AutoCloseable {

  /** One clustered Vert.x running the whole application. */
  record Node(Vertx vertx, DeployerVerticle deployer, ClusterManager clusterManager, String id, String hazelcastAddress) {

    int echoPort() {
      return deployer.echoPort();
    }

    int httpPort() {
      return deployer.httpPort();
    }
  }

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final String clusterName = "echo-test-" + UUID.randomUUID();
  private final Vertx client;
  /** The echo connections' own Vert.x: {@code VertxInternals.connect} needs one from {@code ClientTransport.vertx}. */
  private final Vertx echoClients;
  /** One client for every connection, held for the test's life: Vert.x closes a NetClient, and its sockets, once it is garbage. */
  private final NetClient netClient;
  private final HttpGet http = new HttpGet();
  private final List<Node> nodes = new ArrayList<>();
  private final List<NetSocket> connections = new ArrayList<>();
  private final List<Vertx> bare = new ArrayList<>();

  /** @param client a non-clustered Vert.x for the client side (the test's own) */
  ClusterNodes(Vertx client) {
    this.client = client;
    this.echoClients = ClientTransport.vertx(new VertxOptions());
    this.netClient = echoClients.createNetClient();
  }

  Node start() throws Exception {
    return start(new ConfigLoader(baseConfig(), Map.of(), new Properties()));
  }

  /** A node whose config is only the given file (which it watches), for live reconfiguration. */
  Node start(Path configFile) throws Exception {
    Properties properties = new Properties();
    properties.setProperty("vertx-config-path", configFile.toString());
    return start(new ConfigLoader(new JsonObject(), Map.of(), properties));
  }

  /** The settings every test node starts from: loopback, random ports, two instances, fast summaries. */
  static JsonObject baseConfig() {
    return new JsonObject()
      .put("host", "127.0.0.1").put("port", 0).put("instances", 2)
      .put("statsIntervalMillis", 200).put("shutdownGraceSeconds", 0)
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0));
  }

  /**
   * Starts a node. Hazelcast binds the first free port from 5701 up, and a member listed without a port is looked
   * for on 5701 to 5703 only, where another process's members may answer: so the first node lists only a port
   * nothing listens on (1, a privileged port) and starts the cluster alone, and each later node lists the real
   * addresses of the nodes already started.
   */
  Node start(ConfigLoader loader) throws Exception {
    return start(loader, new EventBusOptions());
  }

  /**
   * A node of a closed cluster: its config sets {@code cluster.tls.*} to {@code certificates}' client
   * certificate and CA, and its event bus is secured from that config as the launcher does it.
   */
  Node startClosed(TestCertificates certificates) throws Exception {
    JsonObject config = baseConfig().put("cluster", new JsonObject().put("tls", new JsonObject()
      .put("certPath", certificates.clientCert().toString()).put("keyPath", certificates.clientKey().toString())
      .put("trustPath", certificates.ca().toString())));
    ConfigLoader loader = new ConfigLoader(config, Map.of(), new Properties());
    return start(loader, ClusterSecurity.secure(new EventBusOptions(), loader.load().clusterTls()));
  }

  /** A bare clustered Vert.x in this test's Hazelcast cluster, running nothing, with the given event-bus options. */
  Vertx startBare(EventBusOptions eventBus) throws Exception {
    Vertx vertx = clustered(eventBus, clusterManager());
    bare.add(vertx);
    return vertx;
  }

  /**
   * A node on vertx-hazelcast's own cluster manager, without {@link RefreshingClusterManager}'s refresh: what the stats
   * verticle does by itself when the cluster's registry loses the node's subscription.
   */
  Node startWithoutRefresh() throws Exception {
    return start(new ConfigLoader(baseConfig(), Map.of(), new Properties()), new EventBusOptions(),
      new HazelcastClusterManager(hazelcastConfig()));
  }

  private HazelcastClusterManager clusterManager() {
    return new RefreshingClusterManager(hazelcastConfig());
  }

  private Config hazelcastConfig() {
    List<String> members = nodes.isEmpty() ? List.of("127.0.0.1:1") : nodes.stream().map(Node::hazelcastAddress).toList();
    Config hazelcast = ClusterManagerFactory.hazelcastConfig(members, clusterName)
      .setProperty("hazelcast.wait.seconds.before.join", "0")
      .setProperty("hazelcast.heartbeat.interval.seconds", "1")
      .setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    return ClusterManagerFactory.bindTo(hazelcast, "127.0.0.1", -1);
  }

  /** A clustered Vert.x over {@code clusterManager}, its event bus on loopback. */
  static Vertx clustered(EventBusOptions eventBus, HazelcastClusterManager clusterManager) throws Exception {
    VertxOptions options = new VertxOptions().setEventBusOptions(eventBus.setHost("127.0.0.1"));
    return Vertx.builder().with(options).withClusterManager(clusterManager)
      .buildClustered().await(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private Node start(ConfigLoader loader, EventBusOptions eventBus) throws Exception {
    return start(loader, eventBus, clusterManager());
  }

  private Node start(ConfigLoader loader, EventBusOptions eventBus, HazelcastClusterManager clusterManager) throws Exception {
    Vertx vertx = clustered(eventBus, clusterManager);
    DeployerVerticle deployer = new DeployerVerticle(loader.load(), loader, clusterManager);
    vertx.deployVerticle(deployer).await(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    Address address = clusterManager.getHazelcastInstance().getCluster().getLocalMember().getAddress();
    Node node = new Node(vertx, deployer, clusterManager, clusterManager.getNodeId(), address.getHost() + ":" + address.getPort());
    nodes.add(node);
    return node;
  }

  /** Opens an echo connection to the node and returns once the greeting arrived (the node has accepted it). */
  NetSocket connect(Node node) throws Exception {
    Promise<NetSocket> greeted = Promise.promise();
    VertxInternals.connect(echoClients, netClient, node.echoPort(), "127.0.0.1",
        connected -> connected.handler(greeting -> greeted.tryComplete(connected)))
      .onFailure(greeted::tryFail);
    NetSocket socket = greeted.future().await(10, TimeUnit.SECONDS);
    connections.add(socket);
    return socket;
  }

  /** The node's {@code GET /stats}, once. */
  JsonObject stats(Node node) {
    return http.json(node.httpPort(), "/stats");
  }

  /** Polls the node's {@code GET /stats} until the condition holds; fails with the last snapshot after 30 s. */
  JsonObject awaitStats(Node node, String what, Predicate<JsonObject> condition) {
    AtomicReference<JsonObject> last = new AtomicReference<>();
    await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      last.set(http.json(node.httpPort(), "/stats"));
      assertTrue(condition.test(last.get()), () -> "last /stats: " + last.get().encodePrettily());
    });
    return last.get();
  }

  /** The cluster view's entry for a node, or null. */
  static JsonObject clusterEntry(JsonObject stats, Node node) {
    return stats.getJsonObject("cluster").getJsonArray("nodes").stream()
      .map(JsonObject.class::cast)
      .filter(entry -> node.id().equals(entry.getString("id")))
      .findFirst().orElse(null);
  }

  static int nodeCount(JsonObject stats) {
    return stats.getJsonObject("cluster").getJsonArray("nodes").size();
  }

  /** Closes the client connections, then every node. */
  @Override
  public void close() throws Exception {
    for (NetSocket socket : connections) {
      socket.close();
    }
    List<Future<Void>> closed = new ArrayList<>(nodes.stream().map(node -> node.vertx().close()).toList());
    bare.forEach(vertx -> closed.add(vertx.close()));
    closed.add(echoClients.close());
    Future.join(closed).await(60, TimeUnit.SECONDS);
  }
}
