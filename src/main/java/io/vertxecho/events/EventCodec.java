package io.vertxecho.events;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * How the connection events travel: as Vert.x's own {@code JsonObject} codec on the wire (the same bytes, so a node
 * decodes them into the same {@code JsonObject}), but delivered to the consumers of their own node as the very object
 * that was published, where Vert.x's codec gives each consumer a deep copy. The events are two messages per
 * connection, each delivered to every consumer (the stats, the bridge relay, the access log, user verticles): the
 * copies were 3 KB of allocation per connection under churn. So an event is read-only once published: no producer
 * keeps it, and no consumer may change it (docs/events.md says so to user verticles).
 */
public final class EventCodec implements MessageCodec<JsonObject, JsonObject> {

  public static final String NAME = "echo.event";

  /**
   * Registers the codec with {@code vertx}'s event bus, unless a node deployed on the same Vert.x did before. Every
   * node registers it before any of its verticles consumes events: a node receives peers' events only through them.
   */
  public static void register(Vertx vertx) {
    try {
      vertx.eventBus().registerCodec(new EventCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // one codec serves every node on this Vert.x
    }
  }

  /** How to publish an event with this codec. Not to be changed: the options are shared by each publisher's events. */
  public static DeliveryOptions delivery() {
    return new DeliveryOptions().setCodecName(NAME);
  }

  @Override
  public void encodeToWire(Buffer buffer, JsonObject event) {
    Buffer encoded = event.toBuffer();
    buffer.appendInt(encoded.length()).appendBuffer(encoded);
  }

  @Override
  public JsonObject decodeFromWire(int position, Buffer buffer) {
    int length = buffer.getInt(position);
    int start = position + 4;
    return new JsonObject(buffer.slice(start, start + length));
  }

  /** The published event itself: read-only from here on. */
  @Override
  public JsonObject transform(JsonObject event) {
    return event;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
