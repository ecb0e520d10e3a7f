package io.vertxecho;

import io.vertx.config.ConfigRetriever;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertxecho.access.AccessLog;
import io.vertxecho.config.ConfigException;
import io.vertxecho.config.ConfigLoader;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.echo.CertificateWatcher;
import io.vertxecho.echo.ConnectionGate;
import io.vertxecho.echo.EchoVerticle;
import io.vertxecho.echo.FileDescriptorBudget;
import io.vertxecho.echo.HeapBudget;
import io.vertxecho.events.EventCodec;
import io.vertxecho.events.Events;
import io.vertxecho.http.ConnectionEventRelay;
import io.vertxecho.http.HttpVerticle;
import io.vertxecho.http.TcpBridgeVerticle;
import io.vertxecho.metrics.ConfigReloadMetrics;
import io.vertxecho.stats.StatsVerticle;
import io.vertxecho.text.Plural;
import io.vertxecho.verticles.UserVerticles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;

import static io.vertxecho.config.EchoConfig.ACCESS_LOG;
import static io.vertxecho.config.EchoConfig.BRIDGE_CONNECTION_EVENTS_PER_SECOND;
import static io.vertxecho.config.EchoConfig.BRIDGE_ENABLED;
import static io.vertxecho.config.EchoConfig.BRIDGE_TCP_PORT;
import static io.vertxecho.config.EchoConfig.CONFIG_SCAN_MILLIS;
import static io.vertxecho.config.EchoConfig.HOST;
import static io.vertxecho.config.EchoConfig.INSTANCES;
import static io.vertxecho.config.EchoConfig.MAX_CONNECTIONS;
import static io.vertxecho.config.EchoConfig.MODE;
import static io.vertxecho.config.EchoConfig.VERTICLES;
import static io.vertxecho.config.EchoConfig.VERTICLE_JARS;

/**
 * The main verticle: deploys stats, HTTP and the echo instances with the config it is given, then watches the
 * config file and applies changes. Each echo instance is a deployment of its own, so scaling deploys new instances
 * before removing old ones (the port never closes) and a removed instance drains only its own clients.
 * <p>
 * Stopping it (undeploy, or SIGTERM through {@code vertx.close()}) stops the node in an order: Vert.x undeploys the
 * children together, and each waits for the one below it. The echo instances drain (up to
 * {@code shutdownGraceSeconds}) and say their last word; stats waits for every last word; HTTP answers /ready with
 * 503 from the first moment and stops once stats has stopped ({@link Events#STATS_STOPPED}). The access log and the
 * bridge relay consume the connection events on this verticle's own context, which Vert.x undeploys after every
 * child: they hear the whole drain.
 */
public final class DeployerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(DeployerVerticle.class);

  private final ConfigLoader loader;
  private final ClusterManager clusterManager;
  private final String transport;
  private final long openFileLimit = FileDescriptorBudget.openFileLimit();
  private final long maxHeap = Runtime.getRuntime().maxMemory();
  private final ConnectionGate gate = new ConnectionGate(FileDescriptorBudget.connections(openFileLimit), maxHeap);
  private final Deque<EchoInstance> echoInstances = new ArrayDeque<>();
  private HttpVerticle http;
  private TcpBridgeVerticle tcpBridge;
  private String nodeId;
  private EchoConfig running;
  private ConfigRetriever retriever;
  /** The config file's last reading, over the defaults. */
  private JsonObject fileLayer;
  private Future<Void> applying = Future.succeededFuture();
  private String lastRejection;
  private ConfigReloadMetrics reloads;
  private UserVerticles userVerticles;

  /**
   * @param config         the validated config to start with (read once, before Vert.x started)
   * @param loader         the sources it came from, watched for changes
   * @param clusterManager the cluster manager Vert.x was built with, or null; used only when Vert.x is clustered
   * @param transport      the name of the transport Vert.x was built with, or null when Vert.x chose it
   */
  public DeployerVerticle(EchoConfig config, ConfigLoader loader, ClusterManager clusterManager, String transport) {
    this.running = config;
    this.loader = loader;
    this.clusterManager = clusterManager;
    this.transport = transport;
  }

  public DeployerVerticle(EchoConfig config, ConfigLoader loader, ClusterManager clusterManager) {
    this(config, loader, clusterManager, null);
  }

  /** A node that does not join a cluster; reads {@code loader} on the calling thread (not an event loop). */
  public static DeployerVerticle standalone(ConfigLoader loader) {
    return new DeployerVerticle(loader.load(), loader, null);
  }

  @Override
  public Future<?> start() {
    EventCodec.register(vertx);
    reloads = ConfigReloadMetrics.register(vertx);
    ClusterManager cluster = vertx.isClustered() ? clusterManager : null;
    nodeId = cluster != null ? cluster.getNodeId() : UUID.randomUUID().toString();
    EchoConfig config = running;
    logConnectionLimit(config);
    http = new HttpVerticle(config);
    Future<?> accessLog = config.get(ACCESS_LOG) ? AccessLog.register(vertx) : Future.succeededFuture();
    Future<?> bridgeRelay = config.get(BRIDGE_ENABLED) || config.get(BRIDGE_TCP_PORT) >= 0
      ? ConnectionEventRelay.register(vertx, nodeId, config.get(BRIDGE_CONNECTION_EVENTS_PER_SECOND)) : Future.succeededFuture();
    Future<UserVerticles> user = UserVerticles.register(vertx, config.get(VERTICLE_JARS)).onSuccess(registered -> userVerticles = registered);
    return Future.all(accessLog, bridgeRelay, user)
      .compose(consuming -> vertx.deployVerticle(new StatsVerticle(config, nodeId, cluster)))
      .compose(stats -> vertx.deployVerticle(http))
      .compose(httpDeployed -> config.get(BRIDGE_TCP_PORT) >= 0
        ? vertx.deployVerticle(tcpBridge = new TcpBridgeVerticle(config, gate)) : Future.succeededFuture())
      .compose(bridgeDeployed -> scaleTo(config))
      .compose(echo -> config.tls().enabled() && config.get(CONFIG_SCAN_MILLIS) > 0
        ? vertx.deployVerticle(new CertificateWatcher(config)) : Future.succeededFuture())
      .compose(watchingCertificates -> userVerticles.apply(config.get(VERTICLES)))
      .onSuccess(deployed -> {
        if (!deployed.isEmpty()) {
          log.info("User verticles: {}", deployed);
        }
      })
      .onFailure(failed -> {
        if (userVerticles != null) {
          userVerticles.release();
        }
      })
      .compose(userDeployed -> watch(config.get(CONFIG_SCAN_MILLIS)))
      // Last: a close (SIGTERM) before start() completes fails this deployment, and its children would not drain
      // (the launcher's SIGTERM now waits for the start, see StartupSignals; an embedding application's close does
      // not). Whoever waits for this line may stop the node.
      .onSuccess(watching -> log.info("vertx-echo listening on {} ({} mode, {}, {} transport), node {}",
        Events.hostPort(config.get(HOST), echoPort()), config.get(MODE).key(), Plural.of(config.get(INSTANCES), "instance"),
        transport != null ? transport : vertx.isNativeTransportEnabled() ? "native" : "NIO", nodeId))
      .onSuccess(watching -> logTls(config));
  }

  @Override
  public Future<?> stop() {
    return retriever == null ? Future.succeededFuture() : retriever.close();
  }

  /** The echo port, resolved when the config asked for a random one. */
  public int echoPort() {
    return echoInstances.getFirst().verticle().actualPort();
  }

  /** The TLS echo port, resolved when the config asked for a random one; -1 when TLS is off. */
  public int tlsPort() {
    return echoInstances.getFirst().verticle().actualTlsPort();
  }

  /** The TCP event-bus bridge's port, resolved when the config asked for a free one; -1 when it is off. */
  public int tcpBridgePort() {
    return tcpBridge == null ? -1 : tcpBridge.actualPort();
  }

  /** The HTTP port, resolved when the config asked for a random one. */
  public int httpPort() {
    return http.actualPort();
  }

  private Future<Void> watch(int scanMillis) {
    if (scanMillis == 0) {
      return Future.succeededFuture();
    }
    retriever = loader.retriever(vertx, scanMillis);
    retriever.configStream().exceptionHandler(failure -> reject(loader.unreadable(failure)));
    retriever.listen(change -> applyFile(change.getNewConfiguration()));
    log.info("Watching {} for changes every {} ms", loader.path(), scanMillis);
    return retriever.getConfig().onSuccess(this::applyFile).mapEmpty();
  }

  /** A new reading of the config file (over the defaults): says which of its changes a later source hides, then applies. */
  private void applyFile(JsonObject next) {
    if (fileLayer != null) {
      List<String> masked = loader.masked(fileLayer, next);
      if (!masked.isEmpty()) {
        log.warn("Config change in {} has no effect: {}", loader.path(), String.join(", ", masked));
      }
    }
    fileLayer = next;
    apply(loader.merge(next));
  }

  /** Validates the change once, here, off the event loop (it reads the files the config names), then applies it. */
  private void apply(JsonObject merged) {
    vertx.executeBlocking(() -> loader.validate(merged))
      .onSuccess(this::apply)
      .onFailure(failure -> {
        if (failure instanceof ConfigException invalid) {
          reject(invalid);
        } else {
          log.error("Validating the config change failed", failure);
        }
      });
  }

  private void apply(EchoConfig next) {
    lastRejection = null;
    for (String key : next.changedKeys(running)) {
      if (EchoConfig.RESTART_KEYS.contains(key)) {
        log.warn("Config change of {} ({}) takes effect at the next restart", key, describe(key, running, next));
      }
    }
    EchoConfig applied = next.keepingRestartKeysOf(running);
    if (applied.equals(running)) {
      return;
    }
    List<String> changes = new ArrayList<>();
    applied.changedKeys(running).stream().filter(key -> !key.equals(VERTICLES.name()))
      .forEach(key -> changes.add(key + " " + describe(key, running, applied)));
    if (!changes.isEmpty()) {
      log.info("Config change applied (new connections use it): {}", String.join(", ", changes));
    }
    if (gate.limit(applied) != gate.limit(running) || !applied.get(MAX_CONNECTIONS).equals(running.get(MAX_CONNECTIONS))) {
      logConnectionLimit(applied);
    }
    reloads.applied();
    running = applied;
    vertx.eventBus().publish(Events.CONFIG, applied.toJson());
    applying = applying.transform(previous -> scaleTo(applied))
      .onFailure(failure -> log.error("Applying the config change failed: {}", failure.getMessage()))
      .transform(scaled -> userVerticles.apply(applied.get(VERTICLES)))
      .onSuccess(deployed -> {
        if (!deployed.isEmpty()) {
          log.info("Config change applied: user verticles {}", deployed);
        }
      })
      .onFailure(this::refuseVerticles)
      .mapEmpty();
  }

  /** A change of {@code verticles} that could not be deployed: the running ones stay, and so does their entry in the running config. */
  private void refuseVerticles(Throwable failure) {
    reloads.refused();
    running = running.with(VERTICLES, userVerticles.entries());
    log.warn("Config change of verticles refused, the running verticles stay: {}", failure.getMessage());
  }

  private void logTls(EchoConfig config) {
    if (vertx.isClustered()) {
      log.info(config.clusterTls().enabled()
        ? "Cluster event bus: TLS with client certificates (certificate " + config.clusterTls().certPath() + ")"
        : "Cluster event bus: plaintext, open to any process that joins Hazelcast (set cluster.tls.* to close it)");
    }
    if (config.tls().enabled()) {
      log.info("TLS echo port {} ({} engine, TLS 1.2 and 1.3, client certificates: {}), certificate {}",
        Events.hostPort(config.get(HOST), tlsPort()), OpenSSLEngineOptions.isAvailable() ? "OpenSSL" : "JDK", config.tls().clientAuth().key(),
        config.tls().certPath());
    }
  }

  private void logConnectionLimit(EchoConfig config) {
    int heapHolds = HeapBudget.connections(maxHeap, config);
    String heap = String.format("%d %% of the %d MiB heap at up to %d KiB per connection (%s mode) holds %d",
      HeapBudget.PERCENT, maxHeap >> 20, HeapBudget.perConnection(config) >> 10, config.get(MODE).key(), heapHolds);
    if (config.get(MAX_CONNECTIONS) > 0) {
      log.info("maxConnections: {} (open-file limit {})", config.get(MAX_CONNECTIONS), openFileLimit);
      if (config.get(MAX_CONNECTIONS) > heapHolds) {
        log.warn("maxConnections {} is more than the heap can hold if every client sends without reading: {}; "
          + "unset it, lower maxLineBytes or give the JVM more heap (-Xmx)", config.get(MAX_CONNECTIONS), heap);
      }
    } else if (openFileLimit > 0) {
      log.info("maxConnections not set: {} (the lesser of: open-file limit {} minus {} kept for HTTP, the cluster, config "
        + "and logs; {})", gate.limit(config), openFileLimit, FileDescriptorBudget.reserve(openFileLimit), heap);
    } else {
      log.info("maxConnections not set: {} (the open-file limit is unknown; {})", gate.limit(config), heap);
    }
  }

  /** Logs a rejected change once, however many scans see the same problem. */
  private void reject(ConfigException invalid) {
    if (!invalid.getMessage().equals(lastRejection)) {
      lastRejection = invalid.getMessage();
      reloads.refused();
      log.warn("Config change rejected, the running config stays in force: {}", invalid.getMessage());
    }
  }

  private static String describe(String key, EchoConfig from, EchoConfig to) {
    return from.value(key) + " -> " + to.value(key);
  }

  /** Brings the echo instances to {@code config.get(INSTANCES)}: new ones first, then the surplus drained. */
  private Future<Void> scaleTo(EchoConfig config) {
    List<Future<?>> added = new ArrayList<>();
    for (int i = echoInstances.size(); i < config.get(INSTANCES); i++) {
      EchoVerticle verticle = new EchoVerticle(config, nodeId, gate);
      added.add(vertx.deployVerticle(verticle).onSuccess(id -> echoInstances.addLast(new EchoInstance(id, verticle))));
    }
    return Future.all(added).onSuccess(deployed -> {
      int removed = 0;
      for (; echoInstances.size() > config.get(INSTANCES); removed++) {
        String id = echoInstances.removeLast().deploymentId();
        vertx.undeploy(id).onFailure(failure -> log.warn("Removing echo instance {} failed: {}", id, failure.getMessage()));
      }
      boolean scaled = removed > 0 || !added.isEmpty() && added.size() < config.get(INSTANCES);  // not the first deployment
      if (!echoInstances.isEmpty() && scaled) {
        log.info("Echo instances: {} (+{} -{}, removed ones drain their clients)", config.get(INSTANCES), added.size(), removed);
      }
    }).mapEmpty();
  }

  /** One EchoVerticle deployment. */
  private record EchoInstance(String deploymentId, EchoVerticle verticle) {
  }
}
