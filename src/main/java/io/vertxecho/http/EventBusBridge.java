package io.vertxecho.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;

/**
 * The SockJS event-bus bridge ({@code /eventbus}, raw WebSocket at {@code /eventbus/websocket}) with the bridges'
 * permissions ({@link BridgePermissions}).
 */
final class EventBusBridge {

  static final String PATH = "/eventbus";

  private EventBusBridge() {
  }

  static Router router(Vertx vertx) {
    return SockJSHandler.create(vertx).bridge(BridgePermissions.permitted(new SockJSBridgeOptions()), BridgePermissions::police);
  }
}
