package io.vertxecho.internal;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.LogCapture;
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
  private static final String CONSUMER_LOGGER = "io.vertx.core.eventbus.impl.MessageConsumerImpl";
  private static final int IN_FLIGHT = 5;

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

  @Test
  @DisplayName("a consumer unregistered with messages on their way warns for each; with discardQuietly it drops them in silence")
  void discardQuietly(Vertx vertx) throws Exception {
    assertEquals(IN_FLIGHT, warningsOfUnregisteringBehind(vertx, "loud", false));
    assertEquals(0, warningsOfUnregisteringBehind(vertx, "quiet", true));
  }

  /**
   * Publishes to a new consumer and unregisters it in the same event-loop task, before any of the messages could be
   * handled; returns how many "Discarding message" warnings its address got.
   */
  private static long warningsOfUnregisteringBehind(Vertx vertx, String address, boolean quietly) throws Exception {
    try (LogCapture log = LogCapture.of(CONSUMER_LOGGER)) {
      Context context = vertx.getOrCreateContext();
      Promise<Void> done = Promise.promise();
      context.runOnContext(v -> {
        MessageConsumer<String> consumer = vertx.eventBus().localConsumer(address, message -> { });
        if (quietly) {
          VertxInternals.discardQuietly(consumer);
        }
        consumer.completion().onSuccess(registered -> {
          for (int i = 0; i < IN_FLIGHT; i++) {
            vertx.eventBus().publish(address, "in flight " + i);
          }
          consumer.unregister();
          // queued behind the deliveries of the messages above
          context.runOnContext(after -> done.complete());
        });
      });
      done.future().await(10, TimeUnit.SECONDS);
      return log.messages().stream().filter(line -> line.startsWith("Discarding message") && line.endsWith("address: " + address)).count();
    }
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
