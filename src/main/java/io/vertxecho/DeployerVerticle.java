package io.vertxecho;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.VertxInternal;
import io.vertxecho.cluster.ClusterViewVerticle;
import io.vertxecho.config.ConfigLoader;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.echo.ConnectionGate;
import io.vertxecho.echo.EchoVerticle;
import io.vertxecho.http.HttpVerticle;
import io.vertxecho.stats.StatsVerticle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** The main verticle: reads config once, then deploys the cluster view, stats, HTTP and the echo instances, in that order. */
public final class DeployerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(DeployerVerticle.class);

  private final ConfigLoader givenLoader;
  private final ConnectionGate gate = new ConnectionGate();
  private final List<EchoVerticle> echoInstances = new CopyOnWriteArrayList<>();
  private final HttpVerticle http = new HttpVerticle();

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
    String nodeId = vertx.isClustered() ? ((VertxInternal) vertx).clusterManager().getNodeId() : UUID.randomUUID().toString();
    return loader.load(vertx).compose(config -> {
      DeploymentOptions options = new DeploymentOptions().setConfig(config.toJson());
      return vertx.deployVerticle(new ClusterViewVerticle(), options)
        .compose(view -> vertx.deployVerticle(new StatsVerticle(nodeId), options))
        .compose(stats -> vertx.deployVerticle(http, options))
        .compose(httpDeployed -> vertx.deployVerticle(() -> newEchoInstance(nodeId), new DeploymentOptions(options).setInstances(config.instances())))
        .onSuccess(echo -> log.info("vertx-echo listening on {}:{} ({} mode, {} instances, {} transport), node {}",
          config.host(), echoPort(), config.mode().key(), config.instances(),
          vertx.isNativeTransportEnabled() ? "native" : "NIO", nodeId));
    });
  }

  /** The echo port, resolved when the config asked for a random one. */
  public int echoPort() {
    return echoInstances.get(0).actualPort();
  }

  /** The HTTP port, resolved when the config asked for a random one. */
  public int httpPort() {
    return http.actualPort();
  }

  private EchoVerticle newEchoInstance(String nodeId) {
    EchoVerticle instance = new EchoVerticle(nodeId, gate);
    echoInstances.add(instance);
    return instance;
  }
}
