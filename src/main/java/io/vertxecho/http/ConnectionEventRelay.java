package io.vertxecho.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertxecho.events.Events;

import java.util.Map;
import java.util.TreeMap;

/**
 * Feeds bridge clients this node's connection events without letting churn reach the echo path or flood the
 * bridge: it forwards at most {@code bridge.connectionEventsPerSecond} events a second to
 * {@link Events#BRIDGE_CONNECTIONS}, and replaces the rest with one {@code skipped} message a second that counts them
 * by kind. The bridge serves this address to its clients as {@code echo.connections}.
 * <p>
 * The StatsVerticle, which receives every connection event of its node anyway, hands each one over: a consumer of
 * its own would cost every event one more delivery and copy. Confined to the StatsVerticle's context; its timer
 * goes with that verticle.
 */
public final class ConnectionEventRelay {

  private final Vertx vertx;
  private final String node;
  private final int perSecond;
  private final Map<String, Long> skipped = new TreeMap<>();
  private int budget;

  /** Call on the feeding verticle's context. */
  public ConnectionEventRelay(Vertx vertx, String node, int perSecond) {
    this.vertx = vertx;
    this.node = node;
    this.perSecond = perSecond;
    this.budget = perSecond;
    vertx.setPeriodic(1000, id -> nextSecond());
  }

  /** One connection event of this node; not changed afterwards by the caller. */
  public void relay(JsonObject event) {
    if (budget > 0) {
      budget--;
      vertx.eventBus().publish(Events.BRIDGE_CONNECTIONS, event);
    } else {
      skipped.merge(event.getString(Events.EVENT, ""), 1L, Long::sum);
    }
  }

  private void nextSecond() {
    budget = perSecond;
    if (!skipped.isEmpty()) {
      vertx.eventBus().publish(Events.BRIDGE_CONNECTIONS, new JsonObject()
        .put(Events.EVENT, Events.SKIPPED)
        .put(Events.NODE, node)
        .put(Events.TIME, System.currentTimeMillis())
        .put(Events.COUNTS, new JsonObject(new TreeMap<>(skipped))));
      skipped.clear();
    }
  }
}
