package io.vertxecho;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /ready, what a load balancer checks: 200 while the node serves, 503 from the moment SIGTERM starts the drain. */
@Timeout(90)
@DisplayName("Readiness of the built jar")
class ReadinessIT {

  private final HttpGet http = new HttpGet();

  @Test
  @DisplayName("SIGTERM: /ready turns 503 while a client is still being served, /health stays answered, the client is told")
  void readyUntilTheDrainStarts() {
    try (JarProcess server = JarProcess.startListening(Map.of("ECHO_SHUTDOWN_GRACE_SECONDS", "60"))) {
      awaitStatus(server, 200);
      try (Wire client = Wire.connect(server.echoPort())) {
        assertEquals("Welcome to my server", client.readLine());
        server.terminate();
        assertEquals("Server shutting down", client.readLine());
        String body = awaitStatus(server, 503);
        assertTrue(body.contains("\"reason\":\"draining\""), body);
        client.send("still echoed\n");
        assertEquals("still echoed", client.readLine());
      }
      server.awaitExit(60);
    }
  }

  /** Polls GET /ready until it answers {@code status}, for at most 30 s, failing at once if the server died; returns the body. */
  private String awaitStatus(JarProcess server, int status) {
    AtomicReference<String> last = new AtomicReference<>("");
    AtomicReference<String> body = new AtomicReference<>();
    await("/ready " + status).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      assertTrue(server.isAlive(), () -> "the server exited; last /ready: " + last.get() + "\n" + server.output());
      try {
        HttpResponse<String> response = http.get(server.httpPort(), "/ready");
        last.set(response.statusCode() + " " + response.body());
        if (response.statusCode() == status) {
          body.set(response.body());
        }
      } catch (UncheckedIOException e) {
        last.set(e.toString());
      }
      assertTrue(body.get() != null, () -> "last /ready: " + last.get());
    });
    return body.get();
  }
}
