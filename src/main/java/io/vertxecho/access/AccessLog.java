package io.vertxecho.access;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertxecho.events.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Config {@code accessLog}: one line per connection of this node on the logger {@value #LOGGER}: per served one from
 * its {@code disconnected} event, per refused one from its {@code rejected} event, both consumed here. Registered by
 * the main verticle on its own context, which is undeployed after every verticle it deployed: the access log hears
 * every client of a drain. The logback configs route that logger through an async appender that never blocks.
 */
public final class AccessLog {

  public static final String LOGGER = "io.vertxecho.access";

  private static final Logger access = LoggerFactory.getLogger(LOGGER);

  private AccessLog() {
  }

  /** Starts logging this node's connections, on the calling verticle's context and for as long as it lives. */
  public static Future<Void> register(Vertx vertx) {
    return vertx.eventBus().<JsonObject>localConsumer(Events.CONNECTIONS, AccessLog::handleEvent).completion();
  }

  private static void handleEvent(Message<JsonObject> message) {
    JsonObject event = message.body();
    switch (event.getString(Events.EVENT, "")) {
      case Events.DISCONNECTED -> disconnected(event);
      case Events.REJECTED -> rejected(event);
      default -> {
      }
    }
  }

  /** The line for a {@code disconnected} event. */
  private static void disconnected(JsonObject event) {
    access.info("client={} port={} instance={} durationMs={} bytesIn={} bytesOut={} lines={} reason={}",
      event.getString(Events.REMOTE), port(event.getString(Events.LOCAL, "")), event.getString(Events.INSTANCE),
      event.getLong(Events.DURATION_MILLIS), event.getLong(Events.BYTES_IN), event.getLong(Events.BYTES_OUT),
      event.getValue(Events.LINES, "-"), event.getString(Events.REASON));
  }

  /** The line for a {@code rejected} event: never served, so no duration, bytes or lines; {@code -} for an unknown address. */
  private static void rejected(JsonObject event) {
    access.info("client={} port={} instance={} durationMs=- bytesIn=- bytesOut=- lines=- reason={}",
      event.getString(Events.REMOTE, "-"), port(event.getString(Events.LOCAL, "-")), event.getString(Events.INSTANCE),
      event.getString(Events.REASON));
  }

  private static String port(String address) {
    return address.substring(address.lastIndexOf(':') + 1);
  }
}
