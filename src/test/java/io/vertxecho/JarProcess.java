package io.vertxecho;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built jar ({@code it.jar}, set by failsafe) running as a separate process, with its output captured. */
public final class JarProcess implements AutoCloseable {

  private static final Pattern ECHO_ADDRESS = Pattern.compile("vertx-echo listening on \\S+:(\\d+) ");
  /** The launcher's line once the main verticle is deployed: from then on SIGTERM drains the node. */
  private static final String DEPLOYED = "Succeeded in deploying verticle";
  private static final Pattern HTTP_ADDRESS = Pattern.compile("HTTP /stats.* on \\S+:(\\d+)");
  private static final Pattern TLS_ADDRESS = Pattern.compile("TLS echo port \\S+:(\\d+) ");

  private final Process process;
  private final StringBuffer output = new StringBuffer();
  private final Thread reader;
  private volatile String stopReadingAfter;

  private JarProcess(Process process, String stopReadingAfter) {
    this.process = process;
    this.stopReadingAfter = stopReadingAfter;
    this.reader = new Thread(() -> copy(process.getInputStream()), "jar-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts the jar on random ports (echo and HTTP) and returns once it listens; read them with {@link #echoPort()}. */
  public static JarProcess startListening(Map<String, String> env, String... args) {
    return launch(withRandomPorts(env), null, args).awaitOutput(ECHO_ADDRESS).awaitOutput(DEPLOYED);
  }

  /** Like {@link #startListening}, under an open-file limit of {@code files}, soft and hard (set by util-linux's prlimit). */
  public static JarProcess startListeningWithOpenFiles(int files, Map<String, String> env, String... args) {
    return launch(List.of("prlimit", "--nofile=" + files + ":" + files, "--"), withRandomPorts(env), null, List.of(), args)
      .awaitOutput(ECHO_ADDRESS).awaitOutput(DEPLOYED);
  }

  /**
   * Like {@link #startListening}, but the test stops reading the process's output once it listens: its stdout
   * becomes a pipe nobody drains, as a slow log collector would be.
   */
  public static JarProcess startListeningThenStopReading(Map<String, String> env, String... args) {
    return launch(withRandomPorts(env), DEPLOYED, args).awaitOutput(ECHO_ADDRESS).awaitOutput(DEPLOYED);
  }

  /** Starts the jar in an empty working directory (no conf/config.json), with extra environment and arguments. */
  public static JarProcess start(Map<String, String> env, String... args) {
    return launch(env, null, args);
  }

  /** Like {@link #start}, on random ports (echo and HTTP), without waiting for anything. */
  public static JarProcess startOnRandomPorts(Map<String, String> env, String... args) {
    return launch(withRandomPorts(env), null, args);
  }

  /** Like {@link #startOnRandomPorts}, with options for the JVM ({@code -Dname=value}) before {@code -jar}. */
  public static JarProcess startOnRandomPorts(Map<String, String> env, List<String> jvmOptions, String... args) {
    return launch(List.of(), withRandomPorts(env), null, jvmOptions, args);
  }

  private static Map<String, String> withRandomPorts(Map<String, String> env) {
    Map<String, String> ports = new HashMap<>(Map.of("ECHO_PORT", "0", "ECHO_HTTP_PORT", "0"));
    ports.putAll(env);
    return ports;
  }

  private static JarProcess launch(Map<String, String> env, String stopReadingAfter, String... args) {
    return launch(List.of(), env, stopReadingAfter, List.of(), args);
  }

  /** @param prefix what the java command runs under (e.g. prlimit and its arguments), or nothing */
  private static JarProcess launch(List<String> prefix, Map<String, String> env, String stopReadingAfter, List<String> jvmOptions,
    String... args) {
    List<String> command = new ArrayList<>(prefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(Path.of(System.getProperty("it.jar", "target/vertx-echo.jar")).toAbsolutePath().toString());
    command.addAll(Arrays.asList(args));
    try {
      ProcessBuilder builder = new ProcessBuilder(command)
        .directory(Files.createTempDirectory("vertx-echo-it").toFile())
        .redirectErrorStream(true);
      builder.environment().keySet().removeIf(name -> name.startsWith("ECHO_") || name.equals("VERTX_CONFIG_PATH"));
      builder.environment().putAll(env);
      return new JarProcess(builder.start(), stopReadingAfter);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the output contains {@code text}; fails at once if the process ends without it, or after 60 s. */
  public JarProcess awaitOutput(String text) {
    return awaitOutput(Pattern.compile(Pattern.quote(text)));
  }

  private JarProcess awaitOutput(Pattern pattern) {
    await("'" + pattern + "' in the output").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
      .untilAsserted(() -> {
        boolean seen = pattern.matcher(output).find();
        if (!seen && !process.isAlive()) {
          reader.join(1000);
          if (!pattern.matcher(output).find()) {
            // Not an AssertionError, which Awaitility would retry until the deadline: the process will not print it.
            throw new IllegalStateException("process exited with " + process.exitValue() + " before printing '" + pattern + "':\n" + output);
          }
        }
        assertTrue(seen, () -> "output so far:\n" + output);
      });
    return this;
  }

  /** The echo port the process listens on, from its "listening" line. */
  public int echoPort() {
    return port(ECHO_ADDRESS);
  }

  /** The HTTP port the process listens on, from its HTTP line. */
  public int httpPort() {
    return port(HTTP_ADDRESS);
  }

  /** The TLS echo port the process listens on, from its TLS line. */
  public int tlsPort() {
    return port(TLS_ADDRESS);
  }

  private int port(Pattern pattern) {
    Matcher matcher = pattern.matcher(output);
    if (!matcher.find()) {
      throw new AssertionError("no " + pattern + " in the output:\n" + output);
    }
    return Integer.parseInt(matcher.group(1));
  }

  /** Waits for the process to end (at most {@code seconds}) and returns its exit code. */
  public int awaitExit(int seconds) {
    try {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        throw new AssertionError("process still running after " + seconds + " s:\n" + output);
      }
      reader.join();
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGKILL: the process dies at once, as on a crash. */
  public void kill() {
    try {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The process id, e.g. to read what the process listens on from {@code /proc}. */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM, as an orchestrator stopping the server sends (Process.destroy() would also close the output pipe). */
  public void terminate() {
    process.toHandle().destroy();
  }

  public String output() {
    return output.toString();
  }

  private void copy(InputStream in) {
    byte[] buffer = new byte[8192];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        if (stopReadingAfter != null && output.indexOf(stopReadingAfter) >= 0) {
          return;
        }
      }
    } catch (IOException ignored) {
      // the process ended
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
