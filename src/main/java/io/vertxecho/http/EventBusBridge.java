package io.vertxecho.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertxecho.events.Events;

/**
 * The SockJS event-bus bridge ({@code /eventbus}, raw WebSocket at {@code /eventbus/websocket}) with explicit
 * permissions: clients may register for node summaries ({@code echo.nodes}) and connection events
 * ({@code echo.connections}, served from the {@link ConnectionEventRelay}'s rate-limited address), and may only
 * send a request to {@code echo.stats}. Anything else gets an error frame ({@code access_denied} or {@code rejected}).
 */
final class EventBusBridge {

  static final String PATH = "/eventbus";

  private EventBusBridge() {
  }

  static Router router(Vertx vertx) {
    SockJSBridgeOptions options = new SockJSBridgeOptions()
      .addOutboundPermitted(new PermittedOptions().setAddress(Events.NODE_SUMMARY))
      .addOutboundPermitted(new PermittedOptions().setAddress(Events.BRIDGE_CONNECTIONS))
      .addInboundPermitted(new PermittedOptions().setAddress(Events.STATS));
    return SockJSHandler.create(vertx).bridge(options, EventBusBridge::police);
  }

  /** Refuses publishes and one-way sends, and maps {@code echo.connections} onto the relay's address and back. */
  private static void police(BridgeEvent event) {
    JsonObject frame = event.getRawMessage();
    switch (event.type()) {
      case PUBLISH -> event.complete(false);
      case SEND -> event.complete(frame.getString("replyAddress") != null);
      case REGISTER -> event.complete(!Events.BRIDGE_CONNECTIONS.equals(frame.getString("address"))
        && renamed(event, Events.CONNECTIONS, Events.BRIDGE_CONNECTIONS));
      case UNREGISTER -> event.complete(renamed(event, Events.CONNECTIONS, Events.BRIDGE_CONNECTIONS));
      case RECEIVE -> event.complete(renamed(event, Events.BRIDGE_CONNECTIONS, Events.CONNECTIONS));
      default -> event.complete(true);
    }
  }

  /**
   * Replaces the frame's address {@code from} with {@code to} (other frames pass untouched); always true. The bridge
   * acts on the replaced frame (BridgeEvent#setRawMessage): a register for echo.connections subscribes to the relay,
   * and what the relay publishes reaches the client as echo.connections. BridgeTest breaks if that ever changes.
   */
  private static boolean renamed(BridgeEvent event, String from, String to) {
    JsonObject frame = event.getRawMessage();
    if (from.equals(frame.getString("address"))) {
      event.setRawMessage(frame.copy().put("address", to));
    }
    return true;
  }
}
