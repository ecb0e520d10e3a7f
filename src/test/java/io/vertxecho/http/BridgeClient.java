package io.vertxecho.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/** A test client of the event-bus bridge over its raw WebSocket: sends frames, keeps every frame it receives. */
final class BridgeClient implements BusClient, AutoCloseable {

  /** Held for the client's life: Vert.x closes a WebSocketClient, and its sockets, once it is garbage. */
  private final WebSocketClient client;
  private final WebSocket socket;
  private final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
  private final List<JsonObject> seen = new ArrayList<>();

  private BridgeClient(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.handler(frame -> received.add(frame.toJsonObject()));
  }

  /** Connects; the bridge sends nothing before the first register, so no frame can be missed. */
  static BridgeClient connect(Vertx vertx, int httpPort) throws TimeoutException {
    WebSocketClient client = vertx.createWebSocketClient();
    return new BridgeClient(client, client.connect(httpPort, "127.0.0.1", "/eventbus/websocket").await(10, TimeUnit.SECONDS));
  }

  BridgeClient send(JsonObject frame) throws TimeoutException {
    socket.writeTextMessage(frame.encode()).await(10, TimeUnit.SECONDS);
    return this;
  }

  BridgeClient register(String address) throws TimeoutException {
    return send(new JsonObject().put("type", "register").put("address", address));
  }

  /** Waits up to 20 s for a frame that matches, failing with every frame seen meanwhile. */
  JsonObject await(String what, Predicate<JsonObject> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (JsonObject frame : seen) {
      if (condition.test(frame)) {
        seen.remove(frame);
        return frame;
      }
    }
    while (System.nanoTime() < deadline) {
      JsonObject frame = received.poll(100, TimeUnit.MILLISECONDS);
      if (frame == null) {
        continue;
      }
      if (condition.test(frame)) {
        return frame;
      }
      seen.add(frame);
    }
    return fail("Timed out waiting for " + what + "; frames seen: " + seen);
  }

  /** A frame received on {@code address} whose body matches. */
  @Override
  public JsonObject awaitBody(String address, String what, Predicate<JsonObject> condition) throws InterruptedException {
    return await(what + " on " + address, frame -> "rec".equals(frame.getString("type"))
      && address.equals(frame.getString("address")) && condition.test(frame.getJsonObject("body"))).getJsonObject("body");
  }

  static boolean isError(JsonObject frame) {
    return "err".equals(frame.getString("type"));
  }

  @Override
  public void close() {
    client.close();
  }
}
