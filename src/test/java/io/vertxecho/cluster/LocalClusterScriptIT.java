package io.vertxecho.cluster;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static io.vertxecho.Programs.onPath;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** cluster/local-cluster.sh: a run on loopback addresses of its own, found again by status and stop. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@DisplayName("The local cluster script")
class LocalClusterScriptIT {

  private static final Path ROOT = Path.of(System.getProperty("it.basedir", "."));
  private static final Path SCRIPT = ROOT.resolve("cluster/local-cluster.sh");

  @Test
  @DisplayName("up starts N nodes from ADDRESS_BASE with the node's ECHO_* ports and the Hazelcast port; status and stop find the run without them")
  void runFoundAgainByStatusAndStop() throws Exception {
    assumeTrue(System.getProperty("it.jar") != null, "needs the built jar: run by failsafe (mvn verify)");
    assumeTrue(onPath("haproxy") && onPath("curl"), "needs haproxy and curl on PATH (.ci/run installs Debian's haproxy)");
    // A /24 of loopback addresses of its own (127.0.0.0/8 is all loopback): the default ports cannot clash there.
    String prefix = "127." + ThreadLocalRandom.current().nextInt(10, 250) + "." + ThreadLocalRandom.current().nextInt(10, 250) + ".";
    String base = prefix + "2";
    Path runDir = ROOT.resolve("target/local-cluster/" + base);
    try {
      Result up = run(Map.of("ADDRESS_BASE", base, "ECHO_PORT", "9990", "ECHO_HTTP_PORT", "8090", "ECHO_CLUSTER_PORT", "5790",
        "ECHO_CLUSTER_NAME", "script-" + base, "LB_HOST", prefix + "1", "LB_PORT", "9991", "ECHO_INSTANCES", "1"), "up", "2");
      assertEquals(0, up.code(), up.output());

      Result status = run(Map.of(), "status");
      assertEquals(0, status.code(), status.output());
      assertTrue(status.output().contains("run target/local-cluster/" + base + ": 2 nodes from " + base
        + ", echo :9990, HTTP :8090, Hazelcast :5790, HAProxy " + prefix + "1:9991"), status.output());
      for (int i = 2; i <= 3; i++) {
        assertTrue(status.output().matches("(?s).*  node" + (i - 1) + " " + prefix.replace(".", "\\.") + i + ": pid \\d+, sees 2 nodes\n.*"),
          status.output());
      }
      String node2Log = Files.readString(runDir.resolve("node2.log"));
      assertTrue(node2Log.contains("as member [" + prefix + "3]:5790 (2 members), event bus " + prefix + "3:"), node2Log);
      await("an echo through HAProxy").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> echoThrough(prefix + "1", 9991));

      List<Long> pids = new ArrayList<>();
      for (String process : List.of("node1", "node2", "haproxy")) {
        pids.add(Long.parseLong(Files.readString(runDir.resolve(process + ".pid")).strip()));
      }
      Result stop = run(Map.of("ADDRESS_BASE", base), "stop");
      assertEquals(0, stop.code(), stop.output());
      for (long pid : pids) {
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " still alive:\n" + stop.output());
      }
      Result after = run(Map.of("ADDRESS_BASE", base), "status");
      assertTrue(after.output().contains("not running"), after.output());
    } finally {
      run(Map.of("ADDRESS_BASE", base), "stop");
    }
  }

  /** Whether an echo through the load balancer comes back (its health checks need a few seconds to let nodes in). */
  private static boolean echoThrough(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2000);
      socket.setSoTimeout(5000);
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
      if (!"Welcome to my server".equals(in.readLine())) {
        return false;
      }
      out.print("through haproxy\n");
      out.flush();
      return "through haproxy".equals(in.readLine());
    } catch (IOException e) {
      return false;
    }
  }

  private record Result(int code, String output) {
  }

  /** Runs the script with {@code env} over an environment without any ECHO_* or script variable, java on PATH. */
  private static Result run(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("ECHO_") || name.startsWith("LB_")
      || List.of("ADDRESS_BASE", "RUN_DIR", "HTTP_PORT", "CLUSTER_NAME").contains(name));
    builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("local-cluster.sh " + String.join(" ", args) + " still running after 3 minutes:\n" + output);
    }
    return new Result(process.exitValue(), output);
  }
}
