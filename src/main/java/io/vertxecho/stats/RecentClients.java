package io.vertxecho.stats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertxecho.events.Events;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The remote addresses of a node's last accepted connections, newest first, for {@code /stats}: behind a proxy
 * speaking the PROXY protocol these are the real clients, not the proxy.
 */
final class RecentClients {

  static final int KEPT = 10;

  /** The connected events themselves: they are read-only and shared, so keeping one copies nothing. */
  private final Deque<JsonObject> recent = new ArrayDeque<>(KEPT);

  void accepted(JsonObject connectedEvent) {
    if (recent.size() == KEPT) {
      recent.removeLast();
    }
    recent.addFirst(connectedEvent);
  }

  JsonArray toJson() {
    JsonArray list = new JsonArray();
    recent.forEach(event -> list.add(new JsonObject()
      .put(Events.REMOTE, event.getString(Events.REMOTE))
      .put(Events.TIME, event.getLong(Events.TIME))));
    return list;
  }
}
