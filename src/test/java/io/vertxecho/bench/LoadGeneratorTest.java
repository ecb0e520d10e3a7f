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
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.vertxecho.bench.BenchTest.startEchoServer;
import static io.vertxecho.bench.BenchTest.startTestServer;
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

  @ParameterizedTest(name = "{0} mode")
  @ValueSource(strings = {"line", "raw"})
  @DisplayName("loadgen churn connects, verifies one echo (after the greeting in line mode) and closes, over and over")
  void churn(String mode, Vertx vertx) throws Exception {
    int port = startEchoServer(vertx, mode);

    Run run = loadgen("churn", "--" + mode, "--port", port, "--connections", 10);

    assertClean(run);
    assertTrue(run.json.getLong("cycles") > 0, run.toString());
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
  private static Run loadgen(Object... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
    for (Object arg : args) {
      command.add(String.valueOf(arg));
    }
    command.addAll(List.of("--host", "127.0.0.1", "--duration", "2", "--warmup", "0", "--timeout", "30"));
    File errors = File.createTempFile("loadgen", ".err");
    try {
      Process process = new ProcessBuilder(command).redirectError(errors).start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(40, TimeUnit.SECONDS), "loadgen did not exit: " + command);
      String err = Files.readString(errors.toPath());
      return new Run(process.exitValue(), out.isBlank() ? new JsonObject() : new JsonObject(out), command + "\nstderr: " + err + "\nstdout: " + out);
    } finally {
      Files.deleteIfExists(errors.toPath());
    }
  }

  private record Run(int exit, JsonObject json, String text) {
    @Override
    public String toString() {
      return text;
    }
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
