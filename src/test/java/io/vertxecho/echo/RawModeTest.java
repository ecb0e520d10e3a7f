package io.vertxecho.echo;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(VertxExtension.class)
@Timeout(30)
@DisplayName("Raw mode (RFC 862)")
class RawModeTest {

  private static TestNode node;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, new JsonObject().put("mode", "raw"));
  }

  @Test
  @DisplayName("sends no greeting by default and gives commands no meaning")
  void noGreetingNoCommands() {
    try (Wire client = Wire.connect(node.port())) {
      client.send("exit\nquit\n\n").shutdownOutput();
      assertEquals("exit\nquit\n\n", client.readToEndString());
    }
  }

  @Test
  @DisplayName("echoes 4 MB of random bytes with no newline framing exactly, in order")
  void echoesBinaryStreamExactly() {
    byte[] data = new byte[4 * 1024 * 1024];
    new Random(862).nextBytes(data);
    try (Wire client = Wire.connect(node.port())) {
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> client.send(data).shutdownOutput());
      assertArrayEquals(data, client.readToEnd());
      sending.join();
    }
  }

  @Test
  @DisplayName("echoes bytes as they arrive, before any newline")
  void echoesWithoutWaitingForNewline() {
    try (Wire client = Wire.connect(node.port())) {
      client.send("no newline");
      assertEquals("no newline", client.readString(10));
    }
  }

  @Test
  @DisplayName("an explicit greeting is sent in raw mode too")
  void explicitGreeting() {
    // A Vert.x instance of its own: nodes asking for a random port in one Vert.x share that port.
    Vertx own = Vertx.vertx();
    try {
      TestNode greeting = TestNode.start(own, new JsonObject().put("mode", "raw").put("greeting", "raw hello"));
      try (Wire client = Wire.connect(greeting.port())) {
        client.send("x").shutdownOutput();
        assertEquals("raw hello\nx", client.readToEndString());
      }
    } finally {
      own.close().await();
    }
  }
}
