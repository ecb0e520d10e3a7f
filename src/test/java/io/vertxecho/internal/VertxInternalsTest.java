package io.vertxecho.internal;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.TestNode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Vert.x internals this project relies on still behave; a Vert.x upgrade that changes them fails here. */
@ExtendWith(VertxExtension.class)
class VertxInternalsTest {

  private static final int CONNECTS = 10000;

  @Test
  @DisplayName("connect() sets the handler before the first read: not one greeting of 10,000 is lost")
  void connectNeverLosesTheGreeting(Vertx vertx) throws Exception {
    TestNode node = TestNode.start(vertx, new JsonObject());
    Vertx clientSide = ClientTransport.vertx(new VertxOptions());
    try {
      NetClient client = clientSide.createNetClient();
      for (int i = 0; i < CONNECTS; i++) {
        String greeting = greeting(clientSide, client, node.port()).await(10, TimeUnit.SECONDS);
        assertEquals("Welcome to my server\n", greeting, "connection " + i);
      }
    } finally {
      clientSide.close().await();
    }
  }

  @Test
  @DisplayName("connect() on a Vert.x not built by ClientTransport.vertx fails and says why, rather than risk the greeting")
  void connectRefusesAPlainVertx(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject());
    NetClient client = vertx.createNetClient();
    Future<NetSocket> connected = VertxInternals.connect(vertx, client, node.port(), "127.0.0.1", socket -> { });
    Throwable failure = assertThrows(IllegalStateException.class, () -> connected.await(10, TimeUnit.SECONDS));
    assertEquals("connect needs a Vert.x built by ClientTransport.vertx", failure.getMessage());
    node.awaitNode(stats -> stats.getLong("accepted") == 1 && stats.getInteger("active") == 0);  // and its socket is closed
  }

  /** Connects, reads the greeting, closes. Bounded by the caller's wait: a lost greeting times out there. */
  private static Future<String> greeting(Vertx vertx, NetClient client, int port) {
    Promise<String> greeted = Promise.promise();
    Buffer received = Buffer.buffer();
    VertxInternals.connect(vertx, client, port, "127.0.0.1", socket -> socket.handler(data -> {
      received.appendBuffer(data);
      if (received.getByte(received.length() - 1) == '\n') {
        greeted.tryComplete(received.toString());
        socket.close();
      }
    })).onFailure(greeted::tryFail);
    return greeted.future();
  }
}
