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
import java.util.List;
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

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

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
  @DisplayName("bench never misses the greeting a server sends at once: 2,000 connections opened in one burst, all intact")
  void burstSeesEveryGreeting(Vertx vertx) {
    int port = startEchoServer(vertx, "line");

    BenchResult result = bench("--port", port, "--connections", 2000, "--rate", 0, "--messages", 1, "--timeout", 30);

    assertTrue(result.ok(), result.toText());
    assertEquals(2000, result.echoed());
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

    int exit = run(args("--port", port, "--raw", "--connections", 2, "--messages", 20, "--json", "--quiet"));

    JsonObject report = new JsonObject(output().trim());
    assertEquals(Bench.EXIT_FAILED, exit);
    assertEquals(2, report.getLong("earlyCloses"));
    assertTrue(report.getLong("lost") > 0, report.encode());
    assertEquals(0, report.getLong("mismatches"));
    assertFalse(report.getBoolean("ok"));
  }

  @Test
  @DisplayName("bench rejects a bad option with one line naming it and exit code 2")
  void rejectsABadOption() {
    int exit = run("--size", "1");

    assertEquals(Bench.EXIT_USAGE, exit);
    assertEquals("bench: option --size must be at least 2 in line mode (one character and the newline)", errors());
  }

  @Test
  @DisplayName("bench --help prints the generated help with every option, and exits 0")
  void help() {
    int exit = run("--help");

    String help = output();
    assertEquals(Bench.EXIT_OK, exit);
    assertTrue(help.startsWith("Usage: java -jar vertx-echo.jar bench [OPTIONS]\n"), help);
    for (String option : new String[] {"--host=HOST", "--port=PORT", "--raw", "--line", "-c, --connections=N", "--rate=N",
      "-p, --pipeline=P", "-m, --size=M", "-d, --duration=SECONDS", "-n, --messages=N", "--warmup=SECONDS",
      "--greeting-lines=N", "--churn", "--source=ADDRS", "--event-loops=N", "--drain=SECONDS", "--timeout=SECONDS",
      "--json", "--quiet", "-h, --help"}) {
      assertTrue(help.contains(option), option + " missing from:\n" + help);
    }
    assertEquals("", errors());
  }

  @Test
  @DisplayName("bench rejects an out-of-range value with exit code 2, naming the option, the value and the range")
  void rejectsAnOutOfRangeValue() {
    int exit = run("--connections", "0");

    assertEquals(Bench.EXIT_USAGE, exit);
    assertEquals("bench: option --connections must be a whole number from 1 to 1000000 (got 0)", errors());
    assertEquals("", output());
  }

  @Test
  @DisplayName("bench rejects --messages 0 (a count needs at least one message) with exit code 2")
  void rejectsZeroMessages() {
    int exit = run("--messages", "0");

    assertEquals(Bench.EXIT_USAGE, exit);
    assertEquals("bench: option --messages must be a whole number from 1 to " + Long.MAX_VALUE / 2 + " (got 0)", errors());
  }

  @Test
  @DisplayName("bench keeps each option's default: line mode, 100 connections, 1 in flight, 64 bytes, 10 s")
  void defaults() {
    BenchOptions options = BenchOptions.parse();

    assertEquals("localhost", options.host());
    assertEquals(9999, options.port());
    assertTrue(options.lineMode());
    assertEquals(1, options.greetingLines());
    assertEquals(100, options.connections());
    assertEquals(2000, options.rate());
    assertEquals(1, options.pipeline());
    assertEquals(64, options.size());
    assertEquals(10, options.durationSeconds());
    assertEquals(1, options.warmupSeconds());
    assertEquals(130, options.timeoutSeconds());
    assertEquals(0, BenchOptions.parse("--raw").greetingLines());
    assertEquals(List.of("127.0.0.2", "127.0.0.3", "127.0.0.9"), BenchOptions.parse("--source", "127.0.0.2-3,127.0.0.9").sources());
  }

  /** Runs the bench subcommand as the jar does; its stdout and stderr go to {@link #output()} and {@link #errors()}. */
  private int run(String... args) {
    return Bench.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String output() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String errors() {
    return err.toString(StandardCharsets.UTF_8).trim();
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

  static int startEchoServer(Vertx vertx, String mode) {
    JsonObject config = new JsonObject().put("port", 0).put("mode", mode).put("greeting", mode.equals("line") ? "Hello" : "")
      .put("instances", 2).put("http", new JsonObject().put("port", 0));
    DeployerVerticle deployer = DeployerVerticle.standalone(new ConfigLoader(config, Map.of(), new Properties()));
    vertx.deployVerticle(deployer).await();
    return deployer.echoPort();
  }

  static int startTestServer(Vertx vertx, Consumer<NetSocket> handler) {
    return vertx.createNetServer().connectHandler(handler::accept).listen(0, "127.0.0.1").await().actualPort();
  }

  /** A broken echo server: echoes everything but flips one bit of the byte at {@code position}. */
  static final class ByteFlipper {
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
