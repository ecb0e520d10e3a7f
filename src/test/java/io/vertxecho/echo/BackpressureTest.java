package io.vertxecho.echo;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
@Timeout(120)
@DisplayName("Backpressure")
class BackpressureTest {

  private static final long TOTAL = 200L * 1024 * 1024;
  private static final long SERVER_HOLD_LIMIT = 32L * 1024 * 1024;

  @Test
  @DisplayName("a client sending 200 MB without reading is paused, another client keeps its echoes, and nothing is lost")
  void slowReaderIsPausedNotBuffered(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject().put("mode", "raw"));
    try (Wire flooder = Wire.connect(node.port()); Wire other = Wire.connect(node.port())) {
      CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> sendPattern(flooder, TOTAL));

      node.awaitNode(stats -> stats.getLong("bytesIn") > 1024 * 1024);
      for (int i = 0; i < 100; i++) {
        other.send("line " + i + "\n");
        assertEquals("line " + i, other.readLine());
      }
      // The flooder reads nothing, so whatever the server has read from it and not yet
      // delivered is held by the server or by the kernel's socket buffers: it stays bounded.
      JsonObject stats = node.stats().getJsonObject("node");
      assertTrue(stats.getLong("bytesIn") < SERVER_HOLD_LIMIT, "server read " + stats.getLong("bytesIn") + " bytes");
      assertFalse(flood.isDone(), "the server should have stopped reading from the flooder");

      assertEquals(TOTAL, readPattern(flooder.input(), TOTAL));
      flood.join();
    }
  }

  private static void sendPattern(Wire wire, long total) {
    byte[] chunk = new byte[64 * 1024];
    for (long sent = 0; sent < total; sent += chunk.length) {
      for (int i = 0; i < chunk.length; i++) {
        chunk[i] = (byte) ((sent + i) % 251);
      }
      wire.send(chunk);
    }
  }

  /** Reads {@code total} bytes, checking each against the pattern; returns how many matched in order. */
  private static long readPattern(InputStream in, long total) {
    byte[] buffer = new byte[64 * 1024];
    long received = 0;
    try {
      while (received < total) {
        int n = in.read(buffer);
        if (n < 0) {
          break;
        }
        for (int i = 0; i < n; i++, received++) {
          if (buffer[i] != (byte) (received % 251)) {
            return received;
          }
        }
      }
      return received;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
