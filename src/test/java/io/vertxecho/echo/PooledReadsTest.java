package io.vertxecho.echo;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ResourceLeakDetector;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.LogCapture;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The connections read the channel's pooled buffers without Vert.x's copy (ChannelHooks) and must give every one
 * back. Netty's leak detector, tracking every buffer here, logs "LEAK:" for a buffer collected unreleased; this
 * test drives each way a read can end (echoed whole, in either mode, split into lines, partly kept, dropped after a
 * quit or an over-long line, ended by a FIN) and then collects garbage until the detector has had its chance to
 * report. A buffer released once too often is reported by Netty's {@code ReferenceCountUtil} ("Failed to release"):
 * none may be.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("Pooled reads are all released (Netty's leak detector, paranoid)")
class PooledReadsTest {

  private static final String GREETING = "Welcome to my server\n";
  private static ResourceLeakDetector.Level before;
  private static TestNode line;
  private static TestNode raw;
  /** The raw-mode node's own Vert.x: two servers on port 0 in one Vert.x share one port, and its connections. */
  private static Vertx rawVertx;

  @BeforeAll
  static void start(Vertx vertx) {
    before = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    line = TestNode.start(vertx, new JsonObject().put("maxLineBytes", 20_000));
    rawVertx = Vertx.vertx();
    raw = TestNode.start(rawVertx, new JsonObject().put("mode", "raw"));
  }

  @AfterAll
  static void restore() {
    rawVertx.close().await();
    ResourceLeakDetector.setLevel(before);
  }

  @Test
  @DisplayName("no read is leaked, however its lines end")
  void noLeaks() throws InterruptedException {
    try (LogCapture leaks = LogCapture.of(ResourceLeakDetector.class);
         LogCapture releases = LogCapture.of(ReferenceCountUtil.class)) {
      for (int round = 0; round < 20; round++) {
        traffic();
      }
      for (int collection = 0; collection < 5; collection++) {
        System.gc();
        Thread.sleep(100);
        traffic(); // the detector reports what was collected when the next buffer is tracked
      }
      List<String> reported = leaks.events().stream().map(ILoggingEvent::getFormattedMessage)
        .filter(message -> message.contains("LEAK")).toList();
      assertEquals(List.of(), reported);
      // a buffer released once too often (the channel's release after writing one it was not given a reference to)
      assertEquals(List.of(),
        releases.messages().stream().filter(message -> message.contains("Failed to release")).toList());
    }
  }

  private static void traffic() {
    String big = "x".repeat(10_000);
    try (Wire client = Wire.connect(line.port())) {
      client.readLine();
      client.send("whole\nlines\n"); // a read of complete lines only: the channel takes it over whole
      assertEquals("whole", client.readLine());
      assertEquals("lines", client.readLine());
      client.send("one\ntwo\r\nthr");
      client.send("ee\n" + big);
      client.send(big + "\nlast, unfinished").shutdownOutput();
      assertEquals("one\ntwo\r\nthree\n" + big + big + "\nlast, unfinished", client.readToEndString());
    }
    try (Wire client = Wire.connect(line.port())) {
      client.send("echoed\nquit\nnever echoed\n");
      assertEquals(GREETING + "echoed\nBye\n", client.readToEndString());
    }
    try (Wire client = Wire.connect(line.port())) {
      client.send("y".repeat(30_000) + "\nnever echoed\n");
      assertEquals(GREETING + "ERR line too long (limit 20000 bytes)\n", client.readToEndString());
    }
    byte[] bytes = ("raw " + big).getBytes(StandardCharsets.UTF_8);
    try (Wire client = Wire.connect(raw.port())) {
      client.send(bytes).shutdownOutput();
      assertArrayEquals(bytes, client.readToEnd());
    }
  }
}
