package io.vertxecho;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The built jar ({@code it.jar}, set by failsafe) running as a separate process, with its output captured. */
public final class JarProcess implements AutoCloseable {

  private final Process process;
  private final StringBuffer output = new StringBuffer();
  private final Thread reader;

  private JarProcess(Process process) {
    this.process = process;
    this.reader = new Thread(() -> copy(process.getInputStream()), "jar-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts the jar in an empty working directory (no conf/config.json), with extra environment and arguments. */
  public static JarProcess start(Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(System.getProperty("it.jvm.flags", "").trim().split("\\s+")));
    command.add("-jar");
    command.add(Path.of(System.getProperty("it.jar", "target/vertx-echo.jar")).toAbsolutePath().toString());
    command.addAll(Arrays.asList(args));
    command.removeIf(String::isEmpty);
    try {
      ProcessBuilder builder = new ProcessBuilder(command)
        .directory(Files.createTempDirectory("vertx-echo-it").toFile())
        .redirectErrorStream(true);
      builder.environment().keySet().removeIf(name -> name.startsWith("ECHO_") || name.equals("VERTX_CONFIG_PATH"));
      builder.environment().putAll(env);
      return new JarProcess(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A port nothing listens on right now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the output contains {@code text}; fails if the process ends first. */
  public JarProcess awaitOutput(String text) {
    while (output.indexOf(text) < 0) {
      if (!process.isAlive() && output.indexOf(text) < 0) {
        TestNode.pause(200);
        if (output.indexOf(text) < 0) {
          throw new AssertionError("process exited with " + process.exitValue() + " before printing '" + text + "':\n" + output);
        }
      }
      TestNode.pause(50);
    }
    return this;
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

  /** SIGTERM, as an orchestrator stopping the server sends (Process.destroy() would also close the output pipe). */
  public void terminate() {
    process.toHandle().destroy();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String output() {
    return output.toString();
  }

  /** GET on the node's HTTP port; returns the body. */
  public static String httpGet(int port, String path) {
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void copy(InputStream in) {
    byte[] buffer = new byte[8192];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
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
