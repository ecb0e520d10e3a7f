package io.vertxecho.cluster;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The repository's docker-compose.yml run as a project of its own: its own project name, image tag, config folder and
 * host ports (free loopback ports Docker picks), so it never meets anything else on the host.
 */
final class ComposeProject {

  private final Path baseDir;
  private final String name;
  private final Map<String, String> env = new HashMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private volatile boolean extraNodes;

  ComposeProject(Path baseDir, String name, Path confDir) {
    this.baseDir = baseDir;
    this.name = name;
    env.put("COMPOSE_PROJECT_NAME", name);
    env.put("NODE_IMAGE", "vertx-echo-it:" + name);
    env.put("CONF_DIR", confDir.toAbsolutePath().toString());
    env.put("LB_PORT", "127.0.0.1:");
    env.put("NODE1_HTTP_PORT", "127.0.0.1:");
    env.put("NODE2_HTTP_PORT", "127.0.0.1:");
    env.put("NODE3_HTTP_PORT", "127.0.0.1:");
    env.put("EXTRA_HTTP_ADDRESS", "127.0.0.1");
  }

  /** More variables for docker-compose, e.g. the base images to build on ({@link BaseImages}). */
  void putEnv(Map<String, String> variables) {
    env.putAll(variables);
  }

  /** Why Docker cannot be used here, or null when it can. */
  static String whyNoDocker() {
    try {
      Result docker = run(List.of("docker", "info", "--format", "{{.ServerVersion}}"), Map.of(), null, 30);
      if (docker.code() != 0) {
        return "no usable Docker engine (docker info: " + docker.output().strip() + ")";
      }
      Result compose = run(List.of("docker-compose", "version", "--short"), Map.of(), null, 30);
      return compose.code() == 0 ? null : "docker-compose is not installed (" + compose.output().strip() + ")";
    } catch (IOException e) {
      return "Docker is not installed (" + e.getMessage() + ")";
    }
  }

  String name() {
    return name;
  }

  String image() {
    return env.get("NODE_IMAGE");
  }

  /** From now on every docker-compose command includes the extra nodes (profile {@code extra}). */
  void enableExtraNodes() {
    extraNodes = true;
  }

  /** docker-compose with this project's settings; fails on a non-zero exit. */
  String compose(String... args) {
    return check(composeCommand(args), 300);
  }

  /** Starts a docker-compose command without waiting for it (e.g. a stop that drains). */
  Process composeAsync(String... args) throws IOException {
    List<String> command = composeCommand(args);
    ProcessBuilder builder = new ProcessBuilder(command).directory(baseDir.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    return builder.start();
  }

  private List<String> composeCommand(String... args) {
    List<String> command = new ArrayList<>(List.of("docker-compose", "--project-directory", baseDir.toString(),
      "-f", baseDir.resolve("docker-compose.yml").toString()));
    if (extraNodes) {
      command.addAll(List.of("--profile", "extra"));
    }
    command.addAll(List.of(args));
    return command;
  }

  String docker(String... args) {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    return check(command, 120);
  }

  /** The container id of a service's first container. */
  String container(String service) {
    String id = compose("ps", "-q", service).strip();
    if (id.isEmpty()) {
      throw new IllegalStateException("service " + service + " has no container");
    }
    return id.lines().findFirst().orElseThrow();
  }

  /** Every container of this project, running or not. */
  List<String> allContainers() {
    return docker("ps", "-a", "-q", "--filter", "label=com.docker.compose.project=" + name).lines()
      .filter(line -> !line.isBlank()).toList();
  }

  /** The loopback host:port a container's port is published on (it changes when the container restarts). */
  String published(String container, int port) {
    return docker("port", container, String.valueOf(port)).lines().filter(line -> line.startsWith("127.0.0.1:"))
      .findFirst().orElseThrow(() -> new IllegalStateException("port " + port + " of " + container + " is not published"));
  }

  int lbPort() {
    String address = published(container("haproxy"), 9999);
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  String logs(String container) {
    return docker("logs", container);
  }

  /** GET on a container's HTTP port: status and body, or null when it does not answer. */
  Reply get(String container, String path) {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + published(container, 8080) + path))
        .timeout(Duration.ofSeconds(3)).build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.body());
    } catch (IOException | RuntimeException e) {
      return new Reply(0, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Reply(0, "interrupted");
    }
  }

  /** A node's /stats, or null when it does not answer. */
  JsonObject stats(String container) {
    Reply reply = get(container, "/stats");
    return reply.status() == 200 ? new JsonObject(reply.body()) : null;
  }

  /** The number of nodes in a node's cluster view, or -1 when it does not answer. */
  int clusterSize(String container) {
    JsonObject stats = stats(container);
    return stats == null ? -1 : stats.getJsonObject("cluster").getJsonArray("nodes").size();
  }

  /** Polls {@code probe} until {@code done} holds; on the deadline fails with what was seen last. */
  static <T> T await(String what, Duration deadline, Supplier<T> probe, Predicate<T> done) {
    long end = System.nanoTime() + deadline.toNanos();
    T last = probe.get();
    while (!done.test(last)) {
      if (System.nanoTime() > end) {
        throw new AssertionError("Waited " + deadline.toSeconds() + " s for " + what + "; last seen: " + last);
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what);
      }
      last = probe.get();
    }
    return last;
  }

  private String check(List<String> command, int timeoutSeconds) {
    try {
      Result result = run(command, env, baseDir, timeoutSeconds);
      if (result.code() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited " + result.code() + ":\n" + result.output());
      }
      return result.output();
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", command) + " failed to start", e);
    }
  }

  static Result run(List<String> command, Map<String, String> env, Path dir, int timeoutSeconds) throws IOException {
    Path output = Files.createTempFile("compose-it", ".out");
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
      if (dir != null) {
        builder.directory(dir.toFile());
      }
      builder.environment().putAll(env);
      Process process = builder.start();
      process.getOutputStream().close();
      boolean exited;
      try {
        exited = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exited = false;
      }
      if (!exited) {
        process.destroyForcibly();
        return new Result(-1, "no exit within " + timeoutSeconds + " s: " + Files.readString(output));
      }
      return new Result(process.exitValue(), Files.readString(output));
    } finally {
      Files.deleteIfExists(output);
    }
  }

  record Result(int code, String output) {
  }

  record Reply(int status, String body) {
    @Override
    public String toString() {
      return status + " " + body;
    }
  }
}
