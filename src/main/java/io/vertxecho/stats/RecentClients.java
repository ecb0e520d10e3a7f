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

  private final Deque<JsonObject> recent = new ArrayDeque<>(KEPT);

  void accepted(JsonObject connectedEvent) {
    if (recent.size() == KEPT) {
      recent.removeLast();
    }
    recent.addFirst(new JsonObject()
      .put(Events.REMOTE, connectedEvent.getString(Events.REMOTE))
      .put(Events.TIME, connectedEvent.getLong(Events.TIME)));
  }

  JsonArray toJson() {
    JsonArray list = new JsonArray();
    recent.forEach(client -> list.add(client.copy()));
    return list;
  }
}
