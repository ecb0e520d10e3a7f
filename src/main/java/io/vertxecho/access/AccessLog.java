package io.vertxecho.access;

import io.vertx.core.json.JsonObject;
import io.vertxecho.events.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Config {@code accessLog}: one line per connection of this node on the logger {@value #LOGGER}: per served one from
 * its {@code disconnected} event, per refused one from its {@code rejected} event. The stats verticle feeds it, so it
 * hears every client of a drain: the stats outlive the echo instances when the node stops. The logback configs route
 * that logger through an async appender that never blocks.
 */
public final class AccessLog {

  public static final String LOGGER = "io.vertxecho.access";

  private static final Logger access = LoggerFactory.getLogger(LOGGER);

  private AccessLog() {
  }

  /** The line for a {@code disconnected} event. */
  public static void disconnected(JsonObject event) {
    access.info("client={} port={} instance={} durationMs={} bytesIn={} bytesOut={} lines={} reason={}",
      event.getString(Events.REMOTE), port(event.getString(Events.LOCAL, "")), event.getString(Events.INSTANCE),
      event.getLong(Events.DURATION_MILLIS), event.getLong(Events.BYTES_IN), event.getLong(Events.BYTES_OUT),
      event.getValue(Events.LINES, "-"), event.getString(Events.REASON));
  }

  /** The line for a {@code rejected} event: never served, so no duration, bytes or lines; {@code -} for an unknown address. */
  public static void rejected(JsonObject event) {
    access.info("client={} port={} instance={} durationMs=- bytesIn=- bytesOut=- lines=- reason={}",
      event.getString(Events.REMOTE, "-"), port(event.getString(Events.LOCAL, "-")), event.getString(Events.INSTANCE),
      event.getString(Events.REASON));
  }

  private static String port(String address) {
    return address.substring(address.lastIndexOf(':') + 1);
  }
}
