package io.vertxecho.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BaseBridgeEvent;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertxecho.events.Events;

import java.util.List;

/**
 * What a client of an event-bus bridge may do, defined once: register for node summaries ({@code echo.nodes}),
 * connection events ({@code echo.connections}, served from the {@link ConnectionEventRelay}'s rate-limited address),
 * alerts ({@code echo.alerts}) and top talkers ({@code echo.toptalkers}), and send a request (with a reply address) to
 * {@code echo.stats}; nothing else. Anything else gets an error frame ({@code access_denied} or {@code rejected}).
 */
final class BridgePermissions {

  /** The addresses a client may register for, as the bus names them. */
  static final List<String> OUTBOUND = List.of(Events.NODE_SUMMARY, Events.BRIDGE_CONNECTIONS, Events.ALERTS, Events.TOP_TALKERS);
  /** The addresses a client may send a request to. */
  static final List<String> INBOUND = List.of(Events.STATS);
  /** {@link #OUTBOUND} as clients name the addresses: {@code echo.connections} for the relay's. */
  static final List<String> CLIENT_OUTBOUND = OUTBOUND.stream()
    .map(address -> address.equals(Events.BRIDGE_CONNECTIONS) ? Events.CONNECTIONS : address).toList();

  private BridgePermissions() {
  }

  /** {@code options} with exactly these permissions. */
  static <T extends BridgeOptions> T permitted(T options) {
    OUTBOUND.forEach(address -> options.addOutboundPermitted(new PermittedOptions().setAddress(address)));
    INBOUND.forEach(address -> options.addInboundPermitted(new PermittedOptions().setAddress(address)));
    return options;
  }

  /**
   * {@code options} with the same permissions, the addresses as clients name them: for a bridge that cannot rename a
   * frame's address in its event handler (the TCP bridge), which is given a bus that does the renaming instead.
   */
  static <T extends BridgeOptions> T permittedAsNamed(T options) {
    CLIENT_OUTBOUND.forEach(address -> options.addOutboundPermitted(new PermittedOptions().setAddress(address)));
    INBOUND.forEach(address -> options.addInboundPermitted(new PermittedOptions().setAddress(address)));
    return options;
  }

  /** Refuses publishes and one-way sends, and maps {@code echo.connections} onto the relay's address and back. */
  static void police(BaseBridgeEvent event) {
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
  private static boolean renamed(BaseBridgeEvent event, String from, String to) {
    JsonObject frame = event.getRawMessage();
    if (from.equals(frame.getString("address"))) {
      event.setRawMessage(frame.copy().put("address", to));
    }
    return true;
  }
}
