package io.vertxecho.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertxecho.config.ConfigException;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.events.Events;
import io.vertxecho.metrics.StatsMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


import static io.vertxecho.config.EchoConfig.BRIDGE_ENABLED;
import static io.vertxecho.config.EchoConfig.HTTP_HOST;
import static io.vertxecho.config.EchoConfig.HTTP_PORT;

/**
 * The node's HTTP face: the live dashboard ({@code GET /}), {@code GET /stats} (the StatsVerticle's snapshot),
 * {@code GET /health} (liveness), {@code GET /ready} (readiness, what a load balancer checks), {@code GET /metrics}
 * and the event-bus bridge ({@code /eventbus}).
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);
  /** The dashboard's files, on the classpath (in the jar). */
  private static final String DASHBOARD = "dashboard";
  /** Stats live on this node: the request never involves the cluster. */
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(2000).setLocalOnly(true);

  private final EchoConfig config;
  /** Completed when this node's stats verticle has stopped, or is found not to be deployed. */
  private final Promise<Void> statsStopped = Promise.promise();
  private HttpServer server;
  private StatsMetrics metrics;
  private boolean stopping;

  public HttpVerticle(EchoConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    HealthChecks checks = HealthChecks.create(vertx).register("echo", 3000, this::checkEcho);
    Router router = Router.router(vertx);
    read(router, "/stats").handler(this::handleStats);
    read(router, "/health").handler(HealthCheckHandler.createWithHealthChecks(checks));
    read(router, "/ready").handler(this::handleReady);
    if (vertx.isMetricsEnabled()) {
      metrics = StatsMetrics.register(vertx);
      read(router, "/metrics").handler(this::updateMetrics).handler(PrometheusScrapingHandler.create());
    }
    if (config.get(BRIDGE_ENABLED)) {
      router.route(EventBusBridge.PATH + "/*").subRouter(EventBusBridge.router(vertx));
    }
    read(router, "/*").handler(StaticHandler.create(DASHBOARD));
    // HTTP/1.1 and WebSocket: nothing here needs cleartext HTTP/2, and Vert.x 5.0 answered a HEAD over it with the body
    Future<Void> statsWatched = vertx.eventBus().localConsumer(Events.STATS_STOPPED, stopped -> statsStopped.tryComplete())
      .completion();
    return statsWatched.compose(watching -> vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
      .requestHandler(router)
      .listen(config.get(HTTP_PORT), config.get(HTTP_HOST)))
      .recover(failure -> Future.failedFuture(ConfigException.cannotListen("http.host", "http.port", config.get(HTTP_HOST), config.get(HTTP_PORT), failure)))
      .onSuccess(listening -> {
        server = listening;
        log.info("HTTP /stats, /health, /ready{}, dashboard /{} on {}", vertx.isMetricsEnabled() ? ", /metrics" : "",
          config.get(BRIDGE_ENABLED) ? ", event-bus bridge " + EventBusBridge.PATH : "", Events.hostPort(config.get(HTTP_HOST), listening.actualPort()));
      });
  }

  /** GET, and HEAD for checkers that want only the status (Vert.x sends the headers of the GET answer, no body). */
  private static Route read(Router router, String path) {
    return router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD);
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

  /**
   * 200 while the node serves: not stopping, the stats answer, and at least one echo instance listens without
   * draining (a clustered node is deployed only once it has joined). 503 from the moment a drain starts: this
   * verticle's own stop (undeploy of the node, SIGTERM), or every echo instance draining; a node that scales its
   * instances down keeps serving on the new ones.
   */
  private void handleReady(RoutingContext context) {
    askStats().onComplete(reply -> {
      JsonObject body = new JsonObject();
      String notReady = stopping ? "draining" : null;
      if (reply.failed()) {
        notReady = notReady != null ? notReady : "stats unavailable: " + reply.cause().getMessage();
      } else {
        JsonObject node = reply.result().getJsonObject(Events.NODE);
        long listening = node.getJsonArray(Events.INSTANCES).stream()
          .filter(instance -> !((JsonObject) instance).getBoolean(Events.DRAINING, false)).count();
        body.put(Events.INSTANCES, listening).put(Events.ACTIVE, node.getLong(Events.ACTIVE));
        if (notReady == null && (node.getBoolean(Events.DRAINING, false) || listening == 0)) {
          notReady = node.getJsonArray(Events.INSTANCES).isEmpty() ? "no echo instance listening" : "draining";
        }
      }
      body.put("status", notReady == null ? "READY" : "NOT_READY");
      if (notReady != null) {
        body.put("reason", notReady);
      }
      context.response().setStatusCode(notReady == null ? 200 : 503);
      context.json(body);
    });
  }

  /** Metrics read the stats: each scrape takes the node's latest counts first. */
  private void updateMetrics(RoutingContext context) {
    askStats().onComplete(reply -> {
      if (reply.succeeded()) {
        metrics.update(reply.result().getJsonObject(Events.NODE), reply.result().getJsonObject(Events.CLUSTER).getJsonArray(Events.NODES).size());
      }
      context.next();
    });
  }

  /**
   * The node is stopping: /ready answers 503 at once, and the HTTP endpoints stay up while the echo instances drain,
   * until the stats verticle, which stops after them, has every final count in ({@link Events#STATS_STOPPED}), so a
   * load balancer sees the node draining rather than gone. Without a stats verticle on this node, it stops at once.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    askStats().onFailure(failure -> {
      if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS) {
        statsStopped.tryComplete();
      }
    });
    return statsStopped.future().onSuccess(stopped -> log.debug("HTTP endpoints stop: the stats have stopped"));
  }

  private Future<JsonObject> askStats() {
    return vertx.eventBus().<JsonObject>request(Events.STATS, null, ASK).map(reply -> reply.body());
  }
}
