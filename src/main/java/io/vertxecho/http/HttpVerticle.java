package io.vertxecho.http;

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
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertxecho.config.ConfigException;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.stats.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP face: {@code GET /stats} (the StatsVerticle's snapshot), {@code GET /health} (liveness),
 * {@code GET /ready} (readiness, what a load balancer checks) and {@code GET /metrics}.
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(2000);

  private HttpServer server;

  @Override
  public Future<?> start() {
    EchoConfig config = EchoConfig.fromJson(config());
    HealthChecks checks = HealthChecks.create(vertx).register("echo", 3000, this::checkEcho);
    Router router = Router.router(vertx);
    router.get("/stats").handler(this::handleStats);
    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(checks));
    router.get("/ready").handler(this::handleReady);
    if (vertx.isMetricsEnabled()) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create());
    }
    return vertx.createHttpServer()
      .requestHandler(router)
      .listen(config.httpPort(), config.httpHost())
      .recover(failure -> Future.failedFuture(ConfigException.cannotListen("http.port", config.httpHost(), config.httpPort(), failure)))
      .onSuccess(listening -> {
        server = listening;
        log.info("HTTP /stats, /health, /ready{} on {}:{}", vertx.isMetricsEnabled() ? ", /metrics" : "", config.httpHost(), listening.actualPort());
      });
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
      JsonObject node = reply.result().getJsonObject("node");
      long instances = node.getJsonArray("instances").stream()
        .filter(instance -> !((JsonObject) instance).getBoolean("draining", false)).count();
      JsonObject data = new JsonObject().put("instances", instances).put("active", node.getLong("active"));
      result.complete(instances > 0 ? Status.OK(data) : Status.KO(data.put("reason", "no echo instance listening")));
    });
  }

  /**
   * 200 while the node serves: the stats answer and at least one echo instance listens without draining. Every
   * instance reports {@code draining} as soon as its stop begins (SIGTERM, undeploy), so a node that drains answers
   * 503 from then on while its clients finish; a node that scales down keeps serving on its new instances. A clustered
   * node is deployed only after it joined the cluster.
   */
  private void handleReady(RoutingContext context) {
    askStats().onComplete(reply -> {
      JsonObject body = new JsonObject();
      String notReady = null;
      if (reply.failed()) {
        notReady = "stats unavailable: " + reply.cause().getMessage();
      } else {
        JsonObject node = reply.result().getJsonObject("node");
        long listening = 0;
        long draining = 0;
        for (Object instance : node.getJsonArray("instances")) {
          if (((JsonObject) instance).getBoolean(Events.DRAINING, false)) {
            draining++;
          } else {
            listening++;
          }
        }
        body.put("instances", listening).put(Events.DRAINING, draining).put(Events.ACTIVE, node.getLong(Events.ACTIVE));
        notReady = listening == 0 ? (draining > 0 ? "draining" : "no echo instance listening") : null;
      }
      body.put("status", notReady == null ? "READY" : "NOT_READY");
      if (notReady != null) {
        body.put("reason", notReady);
      }
      context.response().setStatusCode(notReady == null ? 200 : 503);
      context.json(body);
    });
  }

  private Future<JsonObject> askStats() {
    return vertx.eventBus().<JsonObject>request(Events.STATS, null, ASK).map(reply -> reply.body());
  }
}
