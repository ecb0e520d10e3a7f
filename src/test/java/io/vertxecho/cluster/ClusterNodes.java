package io.vertxecho.cluster;

import com.hazelcast.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertxecho.DeployerVerticle;
import io.vertxecho.config.ConfigLoader;
import io.vertxecho.internal.VertxInternals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Clustered echo nodes in this JVM for one test: Hazelcast on 127.0.0.1 only, a cluster name of its own,
 * no wait before joining and short heartbeats; plus the client side (echo connections, GET /stats) and polling.
 */
final class ClusterNodes implements AutoCloseable {

  /** One clustered Vert.x running the whole application. */
  record Node(Vertx vertx, DeployerVerticle deployer) {

    String id() {
      return ((VertxInternal) vertx).clusterManager().getNodeId();
    }

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
  private final HttpClient http;
  private final List<Node> nodes = new ArrayList<>();
  private final List<NetSocket> connections = new ArrayList<>();

  /** @param client a non-clustered Vert.x for the client side (the test's own) */
  ClusterNodes(Vertx client) {
    this.client = client;
    this.http = client.createHttpClient();
  }

  Node start() throws Exception {
    return start(new ConfigLoader(baseConfig(), null, Map.of(), new Properties()));
  }

  /** A node whose config is only the given file (which it watches), for live reconfiguration. */
  Node start(Path configFile) throws Exception {
    Properties properties = new Properties();
    properties.setProperty("vertx-config-path", configFile.toString());
    return start(new ConfigLoader(new JsonObject(), null, Map.of(), properties));
  }

  /** The settings every test node starts from: loopback, random ports, two instances, fast summaries. */
  static JsonObject baseConfig() {
    return new JsonObject()
      .put("host", "127.0.0.1").put("port", 0).put("instances", 2)
      .put("statsIntervalMillis", 200).put("shutdownGraceSeconds", 0)
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0));
  }

  private Node start(ConfigLoader loader) throws Exception {
    Config hazelcast = ClusterManagerFactory.hazelcastConfig(List.of("127.0.0.1"), clusterName)
      .setProperty("hazelcast.wait.seconds.before.join", "0")
      .setProperty("hazelcast.heartbeat.interval.seconds", "1")
      .setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    hazelcast.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    VertxOptions options = new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1"));
    Vertx vertx = Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(hazelcast))
      .buildClustered().await(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    DeployerVerticle deployer = new DeployerVerticle(loader);
    vertx.deployVerticle(deployer).await(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    Node node = new Node(vertx, deployer);
    nodes.add(node);
    return node;
  }

  /** Opens an echo connection to the node and returns once the greeting arrived (the node has accepted it). */
  NetSocket connect(Node node) throws Exception {
    Promise<NetSocket> greeted = Promise.promise();
    VertxInternals.connect(client, client.createNetClient(), node.echoPort(), "127.0.0.1",
        connected -> connected.handler(greeting -> greeted.tryComplete(connected)))
      .onFailure(greeted::tryFail);
    NetSocket socket = greeted.future().await(10, TimeUnit.SECONDS);
    connections.add(socket);
    return socket;
  }

  /** The node's {@code GET /stats}. */
  Future<JsonObject> stats(Node node) {
    return http.request(HttpMethod.GET, node.httpPort(), "127.0.0.1", "/stats")
      .compose(request -> request.send())
      .compose(HttpClientResponse::body)
      .map(Buffer::toJsonObject);
  }

  /** Polls the node's stats until the condition holds; fails with the last snapshot after the timeout. */
  JsonObject awaitStats(Node node, String what, Predicate<JsonObject> condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    JsonObject last = null;
    while (System.nanoTime() < deadline) {
      last = stats(node).await(10, TimeUnit.SECONDS);
      if (condition.test(last)) {
        return last;
      }
      Thread.sleep(100);
    }
    return fail("Timed out waiting for " + what + "; last /stats: " + (last == null ? null : last.encodePrettily()));
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
    Future.join(nodes.stream().map(node -> node.vertx().close()).toList()).await(60, TimeUnit.SECONDS);
  }
}
