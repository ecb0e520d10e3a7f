package io.vertxecho.cluster;

import io.vertx.core.json.JsonObject;
import io.vertxecho.events.Events;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A bridge client of one node, as a browser or a script is one: the raw WebSocket of the event-bus bridge (the JDK's
 * client), registered to the node summaries and the connection events. It keeps every message with the moment it
 * arrived, so a test can ask which nodes it heard from since a given moment.
 */
final class BridgeWatcher implements AutoCloseable {

  static final String NODE_SUMMARIES = "echo.nodes";
  static final String CONNECTION_EVENTS = "echo.connections";
  /** The bridge closes a socket that has not pinged for 10 s. */
  private static final long PING_SECONDS = 5;

  private final String node;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor();
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private volatile String closed;
  private WebSocket socket;

  private BridgeWatcher(String node) {
    this.node = node;
  }

  /** Connects to {@code hostPort} (a node's HTTP port) and registers; fails if the node does not answer within 10 s. */
  static BridgeWatcher connect(String node, String hostPort) {
    BridgeWatcher watcher = new BridgeWatcher(node);
    watcher.socket = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().newWebSocketBuilder()
      .buildAsync(URI.create("ws://" + hostPort + "/eventbus/websocket"), watcher.new Listener())
      .orTimeout(10, TimeUnit.SECONDS).join();
    watcher.send(new JsonObject().put("type", "register").put("address", NODE_SUMMARIES));
    watcher.send(new JsonObject().put("type", "register").put("address", CONNECTION_EVENTS));
    watcher.pinger.scheduleAtFixedRate(() -> watcher.send(new JsonObject().put("type", "ping")), PING_SECONDS, PING_SECONDS,
      TimeUnit.SECONDS);
    return watcher;
  }

  /** The ids of the nodes whose summaries arrived at or after {@code since} ({@link System#nanoTime()}). */
  Set<String> summariesFrom(long since) {
    return nodes(NODE_SUMMARIES, since, Events.ID, null);
  }

  /** The ids of the nodes whose {@code connected} event of a client from {@code remoteHost} arrived at or after {@code since}. */
  Set<String> connectionsFrom(long since, String remoteHost) {
    return nodes(CONNECTION_EVENTS, since, Events.NODE, remoteHost);
  }

  /** What this watcher has heard since {@code since}, for a failure message. */
  String describe(long since) {
    return "bridge client on " + node + (closed == null ? "" : " (closed: " + closed + ")") + ": summaries from "
      + summariesFrom(since) + ", " + received.stream().filter(message -> message.at - since >= 0).count() + " messages";
  }

  private Set<String> nodes(String address, long since, String field, String remoteHost) {
    Set<String> nodes = new TreeSet<>();
    for (Received message : received) {
      JsonObject body = message.body;
      if (message.at - since >= 0 && address.equals(message.address) && body != null && (remoteHost == null
        || Events.CONNECTED.equals(body.getString(Events.EVENT))
        && body.getString(Events.REMOTE, "").startsWith(remoteHost + ":"))) {
        nodes.add(body.getString(field));
      }
    }
    return nodes;
  }

  private void send(JsonObject frame) {
    if (closed == null) {
      socket.sendText(frame.encode(), true).orTimeout(10, TimeUnit.SECONDS).join();
    }
  }

  @Override
  public void close() {
    pinger.shutdownNow();
    if (closed == null) {
      closed = "by the test";
      socket.abort();
    }
  }

  private record Received(long at, String address, JsonObject body) {
  }

  /** Frames arrive one at a time (the JDK asks for the next); the bridge sends its JSON as binary or text frames. */
  private final class Listener implements WebSocket.Listener {

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      return onData(webSocket, StandardCharsets.UTF_8.encode(data.toString()), last);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      return onData(webSocket, data, last);
    }

    private CompletionStage<?> onData(WebSocket webSocket, ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      partial.writeBytes(bytes);
      if (last) {
        JsonObject frame = new JsonObject(partial.toString(StandardCharsets.UTF_8));
        partial.reset();
        received.add(new Received(System.nanoTime(), frame.getString("address"), frame.getJsonObject("body")));
      }
      webSocket.request(1);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed = statusCode + " " + reason;
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed = error.toString();
    }
  }
}
