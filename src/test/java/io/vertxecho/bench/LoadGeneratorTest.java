package io.vertxecho.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static io.vertxecho.Programs.onPath;
import static io.vertxecho.bench.BenchTest.startEchoServer;
import static io.vertxecho.bench.BenchTest.startTestServer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Keeps the native load generator of the benchmark (src/bench/loadgen.c) honest: built as the scripts build it, run
 * briefly against a real vertx-echo in both modes, it verifies every echo; against a server that flips one bit, and
 * against a server that greets when told it would not, it counts mismatches and fails. Counts only, no rates.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadGeneratorTest {

  private static final Path SCRIPT = Path.of("src/bench/loadgen.sh");
  /** A TCP socket that has received its peer's FIN, in /proc/net/tcp. */
  private static final String CLOSE_WAIT = "08";

  @BeforeAll
  static void build() throws Exception {
    String compiler = System.getenv().getOrDefault("CC", "cc");
    assumeTrue(onPath(compiler), "Skipped: no C compiler (" + compiler + ") on the PATH to build the load generator (.ci/run installs gcc)");
    Process build = new ProcessBuilder(SCRIPT.toString()).redirectErrorStream(true).start();
    build.getOutputStream().close();
    String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    build.waitFor(60, TimeUnit.SECONDS);
    // with no arguments it builds, then refuses to run with exit 2: anything else is a failed build
    assertEquals(2, build.exitValue(), output);
    assertTrue(output.startsWith("loadgen: a mode is needed"), output);
  }

  @ParameterizedTest(name = "{0} mode, {1}-byte messages, at most {2} messages/s (0: as fast as echoed)")
  @CsvSource({"line, 64, 0", "raw, 1000, 0", "line, 64, 500"})
  @DisplayName("loadgen ping-pong verifies every echo from vertx-echo (after the greeting in line mode)")
  void pingPong(String mode, int size, int messageRate, Vertx vertx) throws Exception {
    int port = startEchoServer(vertx, mode);

    Run run = loadgen("pingpong", "--" + mode, "--port", port, "--connections", 20, "--pipeline", 3, "--size", size,
      "--message-rate", messageRate);

    assertClean(run);
    assertEquals(20, run.json.getLong("connected"));
  }

  @ParameterizedTest(name = "{0} mode, at most {1} cycles/s (0: each loop again at once)")
  @CsvSource({"line, 0", "raw, 0", "line, 200"})
  @DisplayName("loadgen churn connects, verifies one echo (after the greeting in line mode) and closes, over and over")
  void churn(String mode, int cycleRate, Vertx vertx) throws Exception {
    int port = startEchoServer(vertx, mode);

    Run run = loadgen("churn", "--" + mode, "--port", port, "--connections", 10, "--cycle-rate", cycleRate);

    assertClean(run);
    assertTrue(run.json.getLong("cycles") > 0, run.toString());
    assertEquals(cycleRate, run.json.getLong("cycleRate"), run.toString());
    if (cycleRate > 0) {
      // paced: no more cycles than the rate allows in the window, plus those of the 10 loops begun just before it
      assertTrue(run.json.getLong("cycles") <= cycleRate * run.json.getDouble("seconds") + 11, run.toString());
    }
  }

  @ParameterizedTest(name = "--sources {0}")
  @CsvSource({"'', 1", "1, 1", "3, 3"})
  @DisplayName("loadgen churn connects from its source addresses in turn (127.0.0.1 alone unless told)")
  void churnSources(String option, int expected, Vertx vertx) throws Exception {
    Set<String> sources = ConcurrentHashMap.newKeySet();
    int port = startTestServer(vertx, socket -> {
      sources.add(socket.remoteAddress().host());
      socket.handler(socket::write);
    });

    Run run = option.isEmpty() ? loadgen("churn", "--raw", "--port", port, "--connections", 10)
      : loadgen("churn", "--raw", "--port", port, "--connections", 10, "--sources", option);

    assertClean(run);
    assertEquals(expected, run.json.getLong("sources"), run.toString());
    Set<String> addresses = new TreeSet<>();
    for (int i = 1; i <= expected; i++) {
      addresses.add("127.0.0." + i);
    }
    assertEquals(addresses, new TreeSet<>(sources));
  }

  @Test
  @DisplayName("loadgen --timeline accounts for every echo of the window, 10 ms by 10 ms, with its longest latency")
  void timeline(Vertx vertx) throws Exception {
    int port = startEchoServer(vertx, "raw");
    Path timeline = Files.createTempFile("loadgen", ".timeline");

    Run run = loadgen("pingpong", "--raw", "--port", port, "--connections", 20, "--timeline", timeline);

    assertClean(run);
    List<String> slices = Files.readAllLines(timeline).stream().filter(line -> !line.startsWith("#")).toList();
    assertTrue(slices.size() >= 200 && slices.size() <= 201, "2 s in slices of 10 ms: " + slices.size());
    long echoes = 0;
    double longest = 0;
    for (int i = 0; i < slices.size(); i++) {
      String[] columns = slices.get(i).split("\t");
      assertEquals(i * 10L, Long.parseLong(columns[0]), slices.get(i));
      echoes += Long.parseLong(columns[1]);
      longest = Math.max(longest, Double.parseDouble(columns[2]));
    }
    assertEquals(run.json.getLong("messages"), echoes, "the echoes of the slices against the JSON's");
    assertEquals(run.json.getJsonObject("latencyMicros").getDouble("max") / 1000, longest, 0.01, run.toString());
  }

  @Test
  @DisplayName("loadgen idle opens every connection, reads each greeting and holds them all")
  void idleHolds(Vertx vertx) throws Exception {
    int port = startEchoServer(vertx, "line");

    Run run = loadgen("idle", "--line", "--port", port, "--connections", 200, "--rate", 0);

    assertEquals(0, run.exit, run.toString());
    assertEquals(200, run.json.getLong("held"), run.toString());
    assertTrue(run.json.getBoolean("ok"), run.toString());
  }

  @Test
  @DisplayName("loadgen counts a flipped byte as a mismatch and exits 1, in ping-pong and in churn")
  void detectsAFlippedByte(Vertx vertx) throws Exception {
    int port = startTestServer(vertx, socket -> new BenchTest.ByteFlipper(socket, 10));

    for (String mode : new String[] {"pingpong", "churn"}) {
      Run run = loadgen(mode, "--raw", "--port", port, "--connections", 5);

      assertEquals(1, run.exit, run.toString());
      assertTrue(run.json.getLong("mismatches") > 0, run.toString());
      assertEquals(1, run.json.getLong("mismatchedBytes") / run.json.getLong("mismatches"), run.toString());
      assertFalse(run.json.getBoolean("ok"), run.toString());
    }
  }

  @Test
  @DisplayName("loadgen told a server sends no greeting counts the greeting it gets as mismatched echo")
  void detectsAnUnexpectedGreeting(Vertx vertx) throws Exception {
    int port = startEchoServer(vertx, "line");

    Run run = loadgen("pingpong", "--line", "--greeting-lines", 0, "--port", port, "--connections", 2);

    assertEquals(1, run.exit, run.toString());
    assertTrue(run.json.getLong("mismatches") > 0, run.toString());
  }

  /**
   * A refused client's ERR line and the FIN behind it (or its line and a reset) reach loadgen together, and churn reads
   * edge-triggered: it once read the line, took the short read for a drained socket and never saw the close, so the
   * connection stayed open until the run ended (in line mode; in raw mode the close comes alone). Here loadgen is
   * stopped while the server answers its one message that way, so that both are waiting when it reads.
   */
  @Test
  @DisplayName("loadgen churn sees a server's close that arrives with the server's last bytes")
  void churnSeesACloseThatArrivesWithTheLastBytes() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      server.setSoTimeout(20_000);
      Run run = loadgen(loadgen -> {
        try (Socket refused = server.accept()) {
          assertEquals(64, refused.getInputStream().readNBytes(64).length);
          signal(loadgen, "STOP");
          await("loadgen stopped").atMost(Duration.ofSeconds(20)).until(() -> processState(loadgen) == 'T');
          refused.getOutputStream().write("ERR server full\n".getBytes(StandardCharsets.US_ASCII));
          refused.shutdownOutput();
          await("the line and the FIN in loadgen's socket").atMost(Duration.ofSeconds(20))
            .until(() -> tcpState(refused.getPort(), server.getLocalPort()), CLOSE_WAIT::equals);
          // Its next connects are refused: 1,000 of them end the run without waiting for its duration.
          server.close();
          signal(loadgen, "CONT");
          assertTrue(loadgen.waitFor(40, TimeUnit.SECONDS), "loadgen did not exit");
        }
      }, 30, "churn", "--line", "--port", server.getLocalPort(), "--connections", 1);

      assertEquals(1, run.json.getLong("earlyCloses"), run.toString());
      assertEquals(0, run.json.getLong("socketErrors"), run.toString());
    }
  }

  @Test
  @DisplayName("loadgen rejects a bad argument with one line naming it, exit 2 and nothing on stdout")
  void rejectsABadArgument() throws Exception {
    Process process = new ProcessBuilder(SCRIPT.toString(), "pingpong", "--port", "9", "--host", "192.0.2.1").start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor(30, TimeUnit.SECONDS);

    assertEquals(2, process.exitValue());
    assertEquals("", out);
    assertEquals("loadgen: option --host must be a loopback address, 127.0.0.0/8 (got '192.0.2.1') (loadgen --help lists the options)\n", err);
  }

  private static void assertClean(Run run) {
    assertEquals(0, run.exit, run.toString());
    assertTrue(run.json.getLong("messages") > 0, run.toString());
    assertEquals(0, run.json.getLong("mismatches"), run.toString());
    assertEquals(0, run.json.getLong("unexpectedBytes"), run.toString());
    assertTrue(run.json.getBoolean("ok"), run.toString());
  }

  /** One run of 2 s without warm-up; its JSON, exit code and stderr. */
  private static Run loadgen(Object... args) throws Exception {
    return loadgen(process -> { }, 2, args);
  }

  /** One run of {@code seconds} without warm-up, {@code meanwhile} done to it as it runs; its JSON, exit code and stderr. */
  private static Run loadgen(ProcessStep meanwhile, int seconds, Object... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
    for (Object arg : args) {
      command.add(String.valueOf(arg));
    }
    command.addAll(List.of("--host", "127.0.0.1", "--duration", String.valueOf(seconds), "--warmup", "0",
      "--timeout", String.valueOf(seconds + 28)));
    File errors = File.createTempFile("loadgen", ".err");
    Process process = new ProcessBuilder(command).redirectError(errors).start();
    try {
      process.getOutputStream().close();
      meanwhile.run(process);
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(seconds + 38, TimeUnit.SECONDS), "loadgen did not exit: " + command);
      String err = Files.readString(errors.toPath());
      return new Run(process.exitValue(), out.isBlank() ? new JsonObject() : new JsonObject(out), command + "\nstderr: " + err + "\nstdout: " + out);
    } finally {
      process.destroyForcibly();  // a run that failed midway may be stopped (SIGSTOP), and would stay so
      Files.deleteIfExists(errors.toPath());
    }
  }

  /** Something done to a running loadgen. */
  private interface ProcessStep {
    void run(Process process) throws Exception;
  }

  private static void signal(Process process, String signal) throws Exception {
    Process kill = new ProcessBuilder("bash", "-c", "kill -" + signal + " " + process.pid()).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -" + signal);
  }

  /** The state letter of a process, as /proc shows it (T: stopped). */
  private static char processState(Process process) throws IOException {
    String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
    return stat.charAt(stat.lastIndexOf(')') + 2);
  }

  /** The kernel's state of the IPv4 loopback socket from {@code localPort} to {@code remotePort} (/proc/net/tcp), or "". */
  private static String tcpState(int localPort, int remotePort) throws IOException {
    String local = String.format(":%04X", localPort);
    String remote = String.format(":%04X", remotePort);
    return Files.readAllLines(Path.of("/proc/net/tcp")).stream().skip(1).map(line -> line.trim().split("\\s+"))
      .filter(fields -> fields[1].endsWith(local) && fields[2].endsWith(remote)).map(fields -> fields[3]).findFirst().orElse("");
  }

  private record Run(int exit, JsonObject json, String text) {
    @Override
    public String toString() {
      return text;
    }
  }
}
