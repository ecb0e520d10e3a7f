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

  private final Deque<Client> recent = new ArrayDeque<>(KEPT);

  /** A client as kept: its JSON is made only when {@code /stats} asks, not for each of thousands of connections a second. */
  private record Client(String remote, long time) {
  }

  void accepted(JsonObject connectedEvent) {
    if (recent.size() == KEPT) {
      recent.removeLast();
    }
    recent.addFirst(new Client(connectedEvent.getString(Events.REMOTE), connectedEvent.getLong(Events.TIME, 0L)));
  }

  JsonArray toJson() {
    JsonArray list = new JsonArray();
    recent.forEach(client -> list.add(new JsonObject().put(Events.REMOTE, client.remote()).put(Events.TIME, client.time())));
    return list;
  }
}
