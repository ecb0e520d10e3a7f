package io.vertxecho.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.DeployerVerticle;
import io.vertxecho.config.ConfigLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BenchTest {

  @Test
  @DisplayName("bench verifies every echoed byte from vertx-echo in line mode and reports success")
  void cleanRunAgainstTheServer(Vertx vertx) {
    int port = startEchoServer(vertx, "line");

    BenchResult result = bench("--port", port, "--connections", 4, "--pipeline", 3, "--messages", 50);

    assertTrue(result.ok(), result.toText());
    assertEquals(4, result.connected());
    assertEquals(4 * 50, result.echoed());
    assertEquals(4 * 50, result.latencyMicros().getTotalCount());
  }

  @Test
  @DisplayName("bench in churn mode connects, echoes once and closes, many times, against vertx-echo")
  void churnAgainstTheServer(Vertx vertx) {
    int port = startEchoServer(vertx, "raw");

    BenchResult result = bench("--port", port, "--raw", "--churn", "--connections", 3, "--messages", 10);

    assertTrue(result.ok(), result.toText());
    assertEquals(30, result.cycles());
    assertEquals(30, result.connected());
  }

  @Test
  @DisplayName("bench counts a corrupted echo as a mismatch and fails")
  void detectsAFlippedByte(Vertx vertx) {
    int port = startTestServer(vertx, socket -> new ByteFlipper(socket, 100));

    BenchResult result = bench("--port", port, "--raw", "--connections", 1, "--pipeline", 2, "--messages", 20);

    assertEquals(1, result.mismatches(), result.toText());
    assertEquals(0, result.lost());
    assertFalse(result.ok());
  }

  @Test
  @DisplayName("bench counts a server that closes early as an early close with lost messages, and exits 1")
  void detectsAnEarlyClose(Vertx vertx) {
    int port = startTestServer(vertx, socket -> new EarlyCloser(socket, 5 * 64));
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int exit = Bench.run(args("--port", port, "--raw", "--connections", 2, "--messages", 20, "--json", "--quiet"),
      new PrintStream(out, true), new PrintStream(new ByteArrayOutputStream(), true));

    JsonObject report = new JsonObject(out.toString(StandardCharsets.UTF_8).trim());
    assertEquals(Bench.EXIT_FAILED, exit);
    assertEquals(2, report.getLong("earlyCloses"));
    assertTrue(report.getLong("lost") > 0, report.encode());
    assertEquals(0, report.getLong("mismatches"));
    assertFalse(report.getBoolean("ok"));
  }

  @Test
  @DisplayName("bench rejects a bad option with one line naming it and exit code 2")
  void rejectsABadOption() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int exit = Bench.run(new String[] {"--size", "1"}, new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(err, true));

    assertEquals(Bench.EXIT_USAGE, exit);
    assertEquals("bench: option --size must be at least 2 in line mode (one character and the newline)",
      err.toString(StandardCharsets.UTF_8).trim());
  }

  private static BenchResult bench(Object... args) {
    return new Bench(BenchOptions.parse(args(args)), null).run();
  }

  private static String[] args(Object... args) {
    String[] strings = new String[args.length + 4];
    for (int i = 0; i < args.length; i++) {
      strings[i] = String.valueOf(args[i]);
    }
    strings[args.length] = "--host";
    strings[args.length + 1] = "127.0.0.1";
    strings[args.length + 2] = "--event-loops";
    strings[args.length + 3] = "2";
    return strings;
  }

  private static int startEchoServer(Vertx vertx, String mode) {
    JsonObject config = new JsonObject().put("port", 0).put("mode", mode).put("greeting", mode.equals("line") ? "Hello" : "")
      .put("instances", 2).put("http", new JsonObject().put("port", 0));
    DeployerVerticle deployer = DeployerVerticle.standalone(new ConfigLoader(config, Map.of(), new Properties()));
    vertx.deployVerticle(deployer).await();
    return deployer.echoPort();
  }

  private static int startTestServer(Vertx vertx, Consumer<NetSocket> handler) {
    return vertx.createNetServer().connectHandler(handler::accept).listen(0, "127.0.0.1").await().actualPort();
  }

  /** A broken echo server: echoes everything but flips one bit of the byte at {@code position}. */
  private static final class ByteFlipper {
    private final NetSocket socket;
    private final long position;
    private long seen;

    ByteFlipper(NetSocket socket, long position) {
      this.socket = socket;
      this.position = position;
      socket.handler(this::echo);
    }

    private void echo(Buffer data) {
      Buffer copy = data.copy();
      if (position >= seen && position < seen + data.length()) {
        int index = (int) (position - seen);
        copy.setByte(index, (byte) (copy.getByte(index) ^ 0x01));
      }
      seen += data.length();
      socket.write(copy);
    }
  }

  /** A broken echo server: echoes the first {@code limit} bytes, then closes. */
  private static final class EarlyCloser {
    private final NetSocket socket;
    private final long limit;
    private long seen;

    EarlyCloser(NetSocket socket, long limit) {
      this.socket = socket;
      this.limit = limit;
      socket.handler(this::echo);
    }

    private void echo(Buffer data) {
      long room = limit - seen;
      if (room > 0) {
        socket.write(data.length() <= room ? data : data.getBuffer(0, (int) room));
      }
      seen += data.length();
      if (seen >= limit) {
        socket.close();
      }
    }
  }
}
