package io.vertxecho.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.events.Events;

import java.util.Map;
import java.util.TreeMap;

/**
 * Feeds bridge clients this node's connection events without letting churn reach the echo path or flood the
 * bridge: it listens node-locally, forwards at most {@code bridge.connectionEventsPerSecond} events a second to
 * {@link Events#BRIDGE_CONNECTIONS}, and replaces the rest with one {@code skipped} message a second that counts them by kind.
 * The bridge serves this address to its clients as {@code echo.connections}.
 */
public final class ConnectionEventRelay extends VerticleBase {

  private final Map<String, Long> skipped = new TreeMap<>();
  private String localNode;
  private int perSecond;
  private int budget;

  @Override
  public Future<?> start() {
    perSecond = EchoConfig.fromJson(config()).bridgeConnectionEventsPerSecond();
    budget = perSecond;
    vertx.setPeriodic(1000, id -> nextSecond());
    return vertx.eventBus().<JsonObject>localConsumer(Events.CONNECTIONS, this::relay).completion();
  }

  /** A local consumer gets this node's events only (other nodes never deliver to it). */
  private void relay(Message<JsonObject> message) {
    JsonObject event = message.body();
    localNode = event.getString(Events.NODE);
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
        .put(Events.NODE, localNode)
        .put(Events.TIME, System.currentTimeMillis())
        .put(Events.COUNTS, new JsonObject(new TreeMap<>(skipped))));
      skipped.clear();
    }
  }
}
