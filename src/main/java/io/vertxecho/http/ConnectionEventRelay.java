package io.vertxecho.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertxecho.events.Events;

import java.util.Map;
import java.util.TreeMap;

/**
 * Feeds bridge clients this node's connection events without letting churn reach the echo path or flood the
 * bridge: it consumes them and forwards at most {@code bridge.connectionEventsPerSecond} a second to
 * {@link Events#BRIDGE_CONNECTIONS}, and replaces the rest with one {@code skipped} message a second that counts them
 * by kind. The bridge serves this address to its clients as {@code echo.connections}. Registered by the main verticle
 * on its own context, which is undeployed after every verticle it deployed, so a stopping node's drain reaches
 * the bridge too; confined to that context.
 */
public final class ConnectionEventRelay {

  private final Vertx vertx;
  private final String node;
  private final int perSecond;
  private final Map<String, Long> skipped = new TreeMap<>();
  private int budget;

  private ConnectionEventRelay(Vertx vertx, String node, int perSecond) {
    this.vertx = vertx;
    this.node = node;
    this.perSecond = perSecond;
    this.budget = perSecond;
  }

  /** Starts relaying, on the calling verticle's context and for as long as it lives. */
  public static Future<Void> register(Vertx vertx, String node, int perSecond) {
    ConnectionEventRelay relay = new ConnectionEventRelay(vertx, node, perSecond);
    vertx.setPeriodic(1000, id -> relay.nextSecond());
    return vertx.eventBus().<JsonObject>localConsumer(Events.CONNECTIONS, relay::relay).completion();
  }

  private void relay(Message<JsonObject> message) {
    if (budget > 0) {
      budget--;
      vertx.eventBus().publish(Events.BRIDGE_CONNECTIONS, message.body());
    } else {
      skipped.merge(message.body().getString(Events.EVENT, ""), 1L, Long::sum);
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
