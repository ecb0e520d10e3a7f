package io.vertxecho;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
@DisplayName("The built jar, started by the Vert.x launcher")
class LauncherIT {

  private static final String LISTENING = "vertx-echo listening on";

  @Test
  @DisplayName("a bad config value stops startup with one clear line, no stack trace, and exit code 78")
  void badConfigExitCode() {
    try (JarProcess server = JarProcess.start(Map.of("ECHO_PORT", "abc"))) {
      assertEquals(78, server.awaitExit(60));
      String output = server.output();
      assertTrue(output.contains("Invalid configuration: port = \"abc\" (from environment variable ECHO_PORT);"
        + " expected an integer from 0 to 65535"), output);
      assertEquals(1, output.strip().lines().count(), output);
      assertFalse(output.contains("\tat "), output);
    }
  }

  @Test
  @DisplayName("a bad value given with -conf is refused the same way")
  void badConfValue() {
    try (JarProcess server = JarProcess.start(Map.of(), "-conf", "{\"mode\": \"fast\"}")) {
      assertEquals(78, server.awaitExit(60));
      assertTrue(server.output().contains("Invalid configuration: mode = \"fast\"; expected one of: line, raw"), server.output());
    }
  }

  @Test
  @DisplayName("a port already in use stops startup with one line naming the address and the key")
  void portInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0);
         JarProcess server = JarProcess.start(Map.of("ECHO_PORT", String.valueOf(taken.getLocalPort()),
           "ECHO_HTTP_PORT", String.valueOf(JarProcess.freePort())))) {
      assertEquals(78, server.awaitExit(60));
      assertTrue(server.output().contains("Cannot listen on 0.0.0.0:" + taken.getLocalPort() + " (port)"), server.output());
      assertFalse(server.output().contains("\tat "), server.output());
    }
  }

  @Test
  @DisplayName("GET /metrics serves Vert.x metrics for Prometheus, counting the echo connections")
  void prometheusMetrics() {
    int port = JarProcess.freePort();
    int http = JarProcess.freePort();
    try (JarProcess server = JarProcess.start(Map.of("ECHO_PORT", "" + port, "ECHO_HTTP_PORT", "" + http)).awaitOutput(LISTENING);
         Wire client = Wire.connect(port)) {
      client.readLine();
      assertTrue(JarProcess.httpGet(http, "/metrics").contains("vertx_net_server_active_connections 1.0"));
      assertFalse(server.output().contains("WARN"), server.output());
    }
  }

  @Test
  @DisplayName("-instances N deploys N echo instances (and one of everything else)")
  void instancesOption() {
    int port = JarProcess.freePort();
    int http = JarProcess.freePort();
    try (JarProcess server = JarProcess.start(Map.of("ECHO_PORT", "" + port, "ECHO_HTTP_PORT", "" + http), "-instances", "3")) {
      server.awaitOutput(LISTENING);
      JsonObject stats = new JsonObject(JarProcess.httpGet(http, "/stats"));
      assertEquals(3, stats.getJsonObject("node").getJsonArray("instances").size());
      try (Wire client = Wire.connect(port)) {
        assertEquals("Welcome to my server", client.readLine());
      }
    }
  }

  @Test
  @DisplayName("SIGTERM: clients are told, keep their echoes, the process exits as soon as they leave, and stats log the close")
  void sigtermDrainsClients() {
    int port = JarProcess.freePort();
    try (JarProcess server = startWithGrace(port, 300); Wire client = Wire.connect(port)) {
      client.readLine();
      client.send("before\n");
      assertEquals("before", client.readLine());

      server.terminate();
      assertEquals("Server shutting down", client.readLine());
      client.send("during\n");
      assertEquals("during", client.readLine());
      client.send("exit\n");
      assertEquals("Bye\n", client.readToEndString());
      server.awaitExit(60);
      assertTrue(server.output().contains("Draining 1 connections"), server.output());
      assertTrue(server.output().contains("Client disconnected: 0 active connections"), server.output());
      assertFalse(server.output().contains("WARN"), server.output());
    }
  }

  @Test
  @DisplayName("SIGTERM: a client that stays is closed at the end of the grace period, its unfinished line echoed")
  void sigtermGracePeriodEnds() {
    int port = JarProcess.freePort();
    try (JarProcess server = startWithGrace(port, 1); Wire client = Wire.connect(port)) {
      client.readLine();
      client.send("unfinished");
      server.terminate();
      assertEquals("Server shutting down\nunfinished", client.readToEndString());
      server.awaitExit(60);
    }
  }

  private static JarProcess startWithGrace(int port, int graceSeconds) {
    return JarProcess.start(Map.of("ECHO_PORT", "" + port, "ECHO_HTTP_PORT", "" + JarProcess.freePort(),
      "ECHO_SHUTDOWN_GRACE_SECONDS", "" + graceSeconds)).awaitOutput(LISTENING);
  }
}
