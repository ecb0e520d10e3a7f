package io.vertxecho;

import io.vertx.config.ConfigRetriever;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertxecho.access.AccessLogVerticle;
import io.vertxecho.cluster.ClusterViewVerticle;
import io.vertxecho.config.ConfigException;
import io.vertxecho.config.ConfigLoader;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.echo.ConnectionGate;
import io.vertxecho.echo.EchoVerticle;
import io.vertxecho.http.HttpVerticle;
import io.vertxecho.stats.StatsVerticle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;

/**
 * The main verticle: reads config once, deploys the cluster view, stats, HTTP and the echo instances, in
 * that order; then watches the config file and applies changes. Each echo instance is a deployment of its
 * own, so scaling deploys new instances before removing old ones (the port never closes) and a removed
 * instance drains only its own clients.
 */
public final class DeployerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(DeployerVerticle.class);

  private final ConfigLoader givenLoader;
  private final ConnectionGate gate = new ConnectionGate();
  private final Deque<EchoInstance> echoInstances = new ArrayDeque<>();
  private final HttpVerticle http = new HttpVerticle();
  private String nodeId;
  private EchoConfig running;
  private ConfigRetriever retriever;
  private Future<Void> applying = Future.succeededFuture();
  private String lastRejection;
  private String statsDeployment;

  /** Used when deployed by name: config from this verticle's config (the launcher's -conf) and the process. */
  public DeployerVerticle() {
    this(null);
  }

  public DeployerVerticle(ConfigLoader loader) {
    this.givenLoader = loader;
  }

  @Override
  public Future<?> start() {
    ConfigLoader loader = givenLoader != null ? givenLoader
      : new ConfigLoader(config(), null, System.getenv(), System.getProperties());
    nodeId = vertx.isClustered() ? ((VertxInternal) vertx).clusterManager().getNodeId() : UUID.randomUUID().toString();
    return loader.load(vertx).compose(config -> {
      running = config;
      DeploymentOptions options = new DeploymentOptions().setConfig(config.toJson());
      return vertx.deployVerticle(new ClusterViewVerticle(), options)
        .compose(view -> vertx.deployVerticle(new StatsVerticle(nodeId), options))
        .compose(stats -> {
          statsDeployment = stats;
          return config.accessLog() ? vertx.deployVerticle(new AccessLogVerticle(nodeId), options) : Future.succeededFuture();
        })
        .compose(accessLog -> vertx.deployVerticle(http, options))
        .compose(httpDeployed -> scaleTo(config))
        .onSuccess(echo -> log.info("vertx-echo listening on {}:{} ({} mode, {} instances, {} transport), node {}",
          config.host(), echoPort(), config.mode().key(), config.instances(),
          vertx.isNativeTransportEnabled() ? "native" : "NIO", nodeId))
        .compose(echo -> watch(loader, config.configScanMillis()));
    });
  }

  @Override
  public Future<?> stop() {
    return retriever == null ? Future.succeededFuture() : retriever.close();
  }

  /**
   * Stops in order before Vert.x undeploys the rest: the echo instances first (each drains its clients),
   * then stats (its last node summary), so logs, stats and the cluster view see every connection close.
   */
  public Future<Void> shutdownInOrder() {
    Promise<Void> drained = Promise.promise();
    context.runOnContext(v -> {
      if (retriever != null) {
        retriever.close();
        retriever = null;
      }
      List<Future<?>> removed = new ArrayList<>();
      echoInstances.forEach(instance -> removed.add(vertx.undeploy(instance.deploymentId())));
      echoInstances.clear();
      Future.all(removed)
        .transform(echoDrained -> statsDeployment == null ? Future.succeededFuture() : vertx.undeploy(statsDeployment))
        .<Void>mapEmpty().onComplete(drained);
    });
    return drained.future();
  }

  /** The echo port, resolved when the config asked for a random one. */
  public int echoPort() {
    return echoInstances.getFirst().verticle().actualPort();
  }

  /** The HTTP port, resolved when the config asked for a random one. */
  public int httpPort() {
    return http.actualPort();
  }

  private Future<Void> watch(ConfigLoader loader, int scanMillis) {
    if (scanMillis == 0) {
      return Future.succeededFuture();
    }
    retriever = loader.retriever(vertx, scanMillis);
    retriever.configStream().exceptionHandler(failure -> reject(loader.unreadable(failure)));
    retriever.listen(change -> apply(loader, change.getNewConfiguration()));
    log.info("Watching {} for changes every {} ms", loader.path(), scanMillis);
    return retriever.getConfig().onSuccess(current -> apply(loader, current)).mapEmpty();
  }

  private void apply(ConfigLoader loader, JsonObject merged) {
    EchoConfig next;
    try {
      next = loader.validate(merged);
    } catch (ConfigException invalid) {
      reject(invalid);
      return;
    }
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
    applied.changedKeys(running).forEach(key -> changes.add(key + " " + describe(key, running, applied)));
    log.info("Config change applied (new connections use it): {}", String.join(", ", changes));
    running = applied;
    applying = applying.transform(previous -> scaleTo(applied))
      .onFailure(failure -> log.error("Applying the config change failed: {}", failure.getMessage()));
  }

  /** Logs a rejected change once, however many scans see the same problem. */
  private void reject(ConfigException invalid) {
    if (!invalid.getMessage().equals(lastRejection)) {
      lastRejection = invalid.getMessage();
      log.warn("Config change rejected, the running config stays in force: {}", invalid.getMessage());
    }
  }

  private static String describe(String key, EchoConfig from, EchoConfig to) {
    return from.value(key) + " -> " + to.value(key);
  }

  /** Brings the echo instances to {@code config.instances()}: new ones first, then the surplus drained. */
  private Future<Void> scaleTo(EchoConfig config) {
    echoInstances.forEach(instance -> instance.verticle().reconfigure(config));
    List<Future<?>> added = new ArrayList<>();
    DeploymentOptions options = new DeploymentOptions().setConfig(config.toJson());
    for (int i = echoInstances.size(); i < config.instances(); i++) {
      EchoVerticle verticle = new EchoVerticle(nodeId, gate);
      added.add(vertx.deployVerticle(verticle, options).onSuccess(id -> echoInstances.addLast(new EchoInstance(id, verticle))));
    }
    return Future.all(added).onSuccess(deployed -> {
      int removed = 0;
      for (; echoInstances.size() > config.instances(); removed++) {
        String id = echoInstances.removeLast().deploymentId();
        vertx.undeploy(id).onFailure(failure -> log.warn("Removing echo instance {} failed: {}", id, failure.getMessage()));
      }
      if (!echoInstances.isEmpty() && (removed > 0 || added.size() < config.instances())) {
        log.info("Echo instances: {} (+{} -{}, removed ones drain their clients)", config.instances(), added.size(), removed);
      }
    }).mapEmpty();
  }

  /** One EchoVerticle deployment. */
  private record EchoInstance(String deploymentId, EchoVerticle verticle) {
  }
}
