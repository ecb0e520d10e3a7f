package io.vertxecho.events;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

import java.util.Collections;
import java.util.Map;

/**
 * How connection events reach their consumers on the node ({@link Events#CONNECTIONS}): published node-locally, with
 * one read-only body that every consumer shares. Vert.x's own codec for a {@code JsonObject} copies the body for each
 * local consumer (the statistics, the bridge relay, the access log, user verticles), and those copies were most of what
 * a connection's two events cost. A consumer still receives a plain {@code JsonObject}; changing it throws
 * ({@code copy()} gives a mutable one). Nothing is encoded: the events never leave the node.
 */
public final class SharedEvents implements MessageCodec<JsonObject, JsonObject> {

  private static final String NAME = "echo.shared-json";

  private SharedEvents() {
  }

  /**
   * The delivery options of a connection event on {@code bus}, registering the codec with the bus the first time.
   * Each publisher keeps its own (a {@code DeliveryOptions} is mutable).
   */
  public static DeliveryOptions delivery(EventBus bus) {
    try {
      bus.registerCodec(new SharedEvents());
    } catch (IllegalStateException alreadyRegistered) {
      // another publisher on this Vert.x registered it: one codec serves them all
    }
    return new DeliveryOptions().setLocalOnly(true).setCodecName(NAME);
  }

  /** A body every consumer can read and none can change: {@code fields} is not copied, so the caller lets go of it. */
  public static JsonObject readOnly(Map<String, Object> fields) {
    return new JsonObject(Collections.unmodifiableMap(fields));
  }

  /** Local delivery: the same body for every consumer. */
  @Override
  public JsonObject transform(JsonObject body) {
    return body;
  }

  /** Never used for local-only messages; the JSON text, length first, should a consumer elsewhere ever ask. */
  @Override
  public void encodeToWire(Buffer buffer, JsonObject body) {
    Buffer encoded = body.toBuffer();
    buffer.appendInt(encoded.length()).appendBuffer(encoded);
  }

  @Override
  public JsonObject decodeFromWire(int position, Buffer buffer) {
    int length = buffer.getInt(position);
    return new JsonObject(buffer.slice(position + 4, position + 4 + length));
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
