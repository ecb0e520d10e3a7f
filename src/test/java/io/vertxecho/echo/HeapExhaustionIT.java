package io.vertxecho.echo;

import io.vertx.core.json.JsonObject;
import io.vertxecho.HttpGet;
import io.vertxecho.JarProcess;
import io.vertxecho.Wire;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile clients that send without reading, against a node with a small heap (96 MiB): without the default limit
 * from the heap and reads stopped at 64 KiB of unwritten echoes, they fill the heap and the node stops answering.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@DisplayName("Clients that send without reading cannot exhaust the heap")
class HeapExhaustionIT {

  private static final Pattern LIMIT = Pattern.compile("maxConnections not set: (\\d+) \\(");

  /** Enough of them to fill the heap before (each held about 65 KB of unfinished line, or 1 MB of unwritten echoes). */
  @ParameterizedTest(name = "{0} mode, {1} clients sending {2} bytes each")
  @CsvSource({"line, 1600, 65000", "raw, 700, 8000000"})
  @DisplayName("more of them than the heap can hold: the node admits what it can hold, refuses the rest, keeps answering")
  void slowReadersCannotExhaustTheHeap(String mode, int clients, int bytesEach) throws Exception {
    try (JarProcess node = JarProcess.startListening(Map.of("JDK_JAVA_OPTIONS", "-Xmx96m", "ECHO_MODE", mode,
      "ECHO_CONNECTION_LOG", "OFF"))) {
      Matcher limitLine = LIMIT.matcher(node.output());
      assertTrue(limitLine.find(), node.output());
      int limit = Integer.parseInt(limitLine.group(1));
      assertTrue(limit < 1_000, () -> "the heap, not the open files, sets the limit: " + node.output());

      HttpGet http = new HttpGet();
      List<SocketChannel> hostile = new ArrayList<>();
      try {
        assertTrue(clients > limit, () -> clients + " clients against a limit of " + limit);
        for (int i = 0; i < clients; i++) {
          SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", node.echoPort()));
          channel.configureBlocking(false);
          hostile.add(channel);
        }
        sendWithoutReading(hostile, bytesEach);
        await("the node holding " + limit + " of them").atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertEquals(limit, stats(http, node).getLong("active"), node::output));
        try (Wire honest = Wire.connect(node.echoPort())) {
          if (mode.equals("line")) {
            assertEquals("ERR server full", honest.readLine());
          }
          assertEquals(0, honest.readToEnd().length, "closed once full");
        }
      } finally {
        for (SocketChannel channel : hostile) {
          channel.close();
        }
      }

      await("the hostile connections to close").atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertEquals(0, stats(http, node).getLong("active"), node::output));
      try (Wire honest = Wire.connect(node.echoPort())) {
        if (mode.equals("line")) {
          honest.readLine();
        }
        honest.send("still here\n");
        assertEquals("still here", honest.readLine());
      }
      assertTrue(node.isAlive());
      assertFalse(node.output().contains("OutOfMemoryError"), node.output());
    }
  }

  /** Writes {@code bytes} on each channel as far as the kernel takes them (refused ones are closed by the node). */
  private static void sendWithoutReading(List<SocketChannel> channels, int bytes) throws InterruptedException {
    ByteBuffer payload = ByteBuffer.allocate(bytes);
    while (payload.hasRemaining()) {
      payload.put((byte) 'x');
    }
    List<ByteBuffer> left = new ArrayList<>();
    channels.forEach(channel -> left.add(payload.duplicate().rewind()));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    boolean progress = true;
    while (progress && System.nanoTime() < deadline) {
      progress = false;
      for (int i = 0; i < channels.size(); i++) {
        ByteBuffer buffer = left.get(i);
        try {
          while (buffer.hasRemaining() && channels.get(i).write(buffer) > 0) {
            progress = true;
          }
        } catch (IOException refused) {
          buffer.position(buffer.limit());
        }
      }
      Thread.sleep(20);
    }
  }

  private static JsonObject stats(HttpGet http, JarProcess node) {
    return new JsonObject(http.get(node.httpPort(), "/stats").body()).getJsonObject("node");
  }
}
