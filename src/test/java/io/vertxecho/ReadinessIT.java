package io.vertxecho;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /ready, what a load balancer checks: 200 while the node serves, 503 from the moment SIGTERM starts the drain. */
@Timeout(90)
@DisplayName("Readiness of the built jar")
class ReadinessIT {

  private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+) ");
  private static final Pattern HTTP = Pattern.compile("HTTP /stats, /health, /ready[^\\n]* on [^:]+:(\\d+)");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  @DisplayName("SIGTERM: /ready turns 503 while a client is still being served, /health stays answered, the client is told")
  void readyUntilTheDrainStarts() {
    try (JarProcess server = JarProcess.start(Map.of("ECHO_PORT", "0", "ECHO_HTTP_PORT", "0", "ECHO_SHUTDOWN_GRACE_SECONDS", "60"))
      .awaitOutput("listening on")) {
      int echoPort = port(LISTENING, server.output());
      int httpPort = port(HTTP, server.output());
      awaitStatus(httpPort, 200, server);
      try (Wire client = Wire.connect(echoPort)) {
        assertEquals("Welcome to my server", client.readLine());
        server.terminate();
        assertEquals("Server shutting down", client.readLine());
        String body = awaitStatus(httpPort, 503, server);
        assertTrue(body.contains("\"reason\":\"draining\""), body);
        client.send("still echoed\n");
        assertEquals("still echoed", client.readLine());
      }
      server.awaitExit(60);
    }
  }

  private static int port(Pattern pattern, String output) {
    Matcher matcher = pattern.matcher(output);
    assertTrue(matcher.find(), "no " + pattern + " in:\n" + output);
    return Integer.parseInt(matcher.group(1));
  }

  /** Polls GET /ready until it answers {@code status}, for at most 30 s; returns the body. */
  private String awaitStatus(int httpPort, int status, JarProcess server) {
    String last = "";
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/ready"))
          .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == status) {
          return response.body();
        }
        last = response.statusCode() + " " + response.body();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted; last /ready: " + last);
      }
      assertTrue(server.isAlive(), "the server exited; last /ready: " + last + "\n" + server.output());
      assertTrue(System.nanoTime() < deadline, "no " + status + " from /ready within 30 s; last: " + last);
      TestNode.pause(100);
    }
  }
}
