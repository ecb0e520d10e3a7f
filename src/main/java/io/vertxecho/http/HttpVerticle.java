package io.vertxecho.http;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertxecho.config.ConfigException;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.events.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP face: the live dashboard ({@code GET /}), {@code GET /stats} (the StatsVerticle's snapshot),
 * {@code GET /health}, {@code GET /metrics} and the event-bus bridge ({@code /eventbus}).
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);
  /** The dashboard's files, on the classpath (in the jar). */
  private static final String DASHBOARD = "dashboard";
  /** Stats live on this node: the request never involves the cluster. */
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(2000).setLocalOnly(true);

  private HttpServer server;

  @Override
  public Future<?> start() {
    EchoConfig config = EchoConfig.fromJson(config());
    HealthChecks checks = HealthChecks.create(vertx).register("echo", 3000, this::checkEcho);
    Router router = Router.router(vertx);
    router.get("/stats").handler(this::handleStats);
    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(checks));
    if (vertx.isMetricsEnabled()) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create());
    }
    Future<?> relay = Future.succeededFuture();
    if (config.bridgeEnabled()) {
      router.route(EventBusBridge.PATH + "/*").subRouter(EventBusBridge.router(vertx));
      relay = vertx.deployVerticle(new ConnectionEventRelay(), new DeploymentOptions().setConfig(config()));
    }
    router.get().handler(StaticHandler.create(DASHBOARD));
    return relay.compose(relaying -> vertx.createHttpServer()
      .requestHandler(router)
      .listen(config.httpPort(), config.httpHost())
      .recover(failure -> Future.failedFuture(ConfigException.cannotListen("http.port", config.httpHost(), config.httpPort(), failure)))
      .onSuccess(listening -> {
        server = listening;
        log.info("HTTP /stats, /health{}, dashboard /{} on {}:{}", vertx.isMetricsEnabled() ? ", /metrics" : "",
          config.bridgeEnabled() ? ", event-bus bridge " + EventBusBridge.PATH : "", config.httpHost(), listening.actualPort());
      }));
  }

  /** The port this verticle listens on (resolved when the config asked for a random one). */
  public int actualPort() {
    return server.actualPort();
  }

  private void handleStats(RoutingContext context) {
    askStats()
      .onSuccess(snapshot -> context.json(snapshot))
      .onFailure(failure -> context.response().setStatusCode(503).end(failure.getMessage()));
  }

  /** Up when the stats verticle answers and at least one echo instance is listening. */
  private void checkEcho(Promise<Status> result) {
    askStats().onComplete(reply -> {
      if (reply.failed()) {
        result.complete(Status.KO(new JsonObject().put("reason", "stats unavailable: " + reply.cause().getMessage())));
        return;
      }
      JsonObject node = reply.result().getJsonObject(Events.NODE);
      long instances = node.getJsonArray(Events.INSTANCES).stream()
        .filter(instance -> !((JsonObject) instance).getBoolean(Events.DRAINING, false)).count();
      JsonObject data = new JsonObject().put(Events.INSTANCES, instances).put(Events.ACTIVE, node.getLong(Events.ACTIVE));
      result.complete(instances > 0 ? Status.OK(data) : Status.KO(data.put("reason", "no echo instance listening")));
    });
  }

  private Future<JsonObject> askStats() {
    return vertx.eventBus().<JsonObject>request(Events.STATS, null, ASK).map(reply -> reply.body());
  }
}
