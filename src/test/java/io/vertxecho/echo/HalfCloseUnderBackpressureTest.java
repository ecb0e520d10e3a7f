package io.vertxecho.echo;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.TestNode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paused case of a half-close, as Vert.x's own {@code NetTest.testHalfCloseCallsEndHandlerAfterBuffersAreDelivered}
 * covers it for a client: the client sends until nothing more fits (the server has stopped reading it, its
 * write queue full), half-closes while the server is paused, and only then reads. Every byte must come back,
 * in order, before the server closes.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
@DisplayName("Half-close under backpressure")
class HalfCloseUnderBackpressureTest {

  private static final int STALLED_WRITES = 50;

  @ParameterizedTest(name = "{0} mode")
  @ValueSource(strings = {"raw", "line"})
  @DisplayName("a client that fills the pipe without reading, half-closes, then reads, gets every byte back in order")
  void fillHalfCloseThenRead(String mode, Vertx vertx) throws Exception {
    TestNode node = TestNode.start(vertx, new JsonObject().put("mode", mode).put("greeting", ""));
    try (SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", node.port()))) {
      ByteArrayOutputStream sent = fillWithoutReading(channel);
      assertTrue(sent.size() > 1024 * 1024, "the pipe held only " + sent.size() + " bytes: the server did not stop reading");
      // Line mode: the pipe may fill mid-line; that last line without its \n is echoed as it came.
      channel.shutdownOutput();
      ByteArrayOutputStream received = readToEnd(channel);
      assertEquals(sent.size(), received.size(), "bytes echoed of those sent");
      assertEquals(sent.toString(StandardCharsets.US_ASCII), received.toString(StandardCharsets.US_ASCII));
    }
    JsonObject stats = node.awaitNode(n -> n.getLong("active") == 0);
    assertEquals(1, TestNode.closed(stats, "client-closed"));
  }

  /** Writes lines until the socket takes no more for {@value #STALLED_WRITES} tries in a row; returns what was written. */
  private static ByteArrayOutputStream fillWithoutReading(SocketChannel channel) throws IOException {
    channel.configureBlocking(false);
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    for (int line = 0, stalled = 0; stalled < STALLED_WRITES; line++) {
      ByteBuffer bytes = ByteBuffer.wrap(String.format("line %09d of a stream nobody reads yet\n", line).getBytes(StandardCharsets.US_ASCII));
      while (bytes.hasRemaining() && stalled < STALLED_WRITES) {
        int written = channel.write(bytes);
        sent.write(bytes.array(), bytes.position() - written, written);
        stalled = written == 0 ? stalled + 1 : 0;
        if (written == 0) {
          TestNode.pause(10);
        }
      }
    }
    channel.configureBlocking(true);
    return sent;
  }

  private static ByteArrayOutputStream readToEnd(SocketChannel channel) throws IOException {
    channel.socket().setSoTimeout(20_000);
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    try (var in = channel.socket().getInputStream()) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        received.write(buffer, 0, n);
      }
    }
    return received;
  }
}
