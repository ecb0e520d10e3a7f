package io.vertxecho;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every connection the jar sees, served or refused, is counted once in /stats and has one access-log line. */
@Timeout(120)
@DisplayName("Connection accounting in the built jar")
class ConnectionAccountingIT {

  private static final Pattern ACCESS_LINE = Pattern.compile(" ACCESS client=(\\S+) port=\\S+ instance=\\S+ .* reason=(\\S+)");

  @TempDir
  Path dir;

  @Test
  @DisplayName("served and refused clients of every kind: accepted, rejected and closed reconcile exactly, one access line each")
  void servedAndRefusedReconcile() {
    TestCertificates certificates = TestCertificates.make(dir);
    Map<String, String> env = Map.of(
      "ECHO_PROXY_PROTOCOL", "true", "ECHO_ACCESS_LOG", "true",
      "ECHO_MAX_CONNECTIONS", "3", "ECHO_MAX_CONNECTIONS_PER_IP", "1",
      "ECHO_TLS_PORT", "0", "ECHO_TLS_CERT_PATH", certificates.serverCert().toString(),
      "ECHO_TLS_KEY_PATH", certificates.serverKey().toString());
    List<String> expected = new ArrayList<>();
    try (JarProcess server = JarProcess.startListening(env)) {
      int port = server.echoPort();
      try (Wire quitting = proxied(port, "203.0.113.1", 40001)) {
        assertEquals("Welcome to my server", quitting.readLine());
        quitting.send("exit\n");
        assertEquals("Bye\n", quitting.readToEndString());
        expected.add("203.0.113.1:40001 quit");
      }
      // Its place is given back before its close is counted: from then on two more fill the node.
      awaitNode(server, node -> node.getJsonObject("closed").containsKey("quit"));
      try (Wire first = proxied(port, "203.0.113.2", 40002); Wire second = proxied(port, "203.0.113.3", 40003)) {
        assertEquals("Welcome to my server", first.readLine());
        assertEquals("Welcome to my server", second.readLine());
        expected.addAll(List.of("203.0.113.2:40002 client-closed", "203.0.113.3:40003 client-closed"));
        try (Wire sameAddress = proxied(port, "203.0.113.2", 40004)) {
          assertEquals("ERR too many connections from your address\n", sameAddress.readToEndString());
          expected.add("203.0.113.2:40004 per-ip-limit");
        }
        try (Wire overTls = certificates.connect(server.tlsPort())) {
          // Admitted (greeted) before the next client connects: the server ends a TLS handshake after the client does.
          assertEquals("Welcome to my server", overTls.readLine());
          expected.add(peer(overTls) + " client-closed");
          try (Wire full = proxied(port, "203.0.113.5", 40005)) {
            assertEquals("ERR server full\n", full.readToEndString());
            expected.add("203.0.113.5:40005 server-full");
          }
        }
      }
      try (Wire plaintext = Wire.connect(server.tlsPort())) {
        plaintext.send("hello\n").readToEnd();
        expected.add(peer(plaintext) + " tls-handshake-failed");
      }
      try (Wire noHeader = Wire.connect(port)) {
        assertEquals("", noHeader.send("hello, no header here\r\n").readToEndString());
        expected.add(peer(noHeader) + " proxy-header");
      }
      try (Wire silent = Wire.connect(port)) {
        assertEquals("", silent.readToEndString());
        expected.add(peer(silent) + " proxy-timeout");
      }
      Wire gone = Wire.connect(port);
      expected.add(peer(gone) + " proxy-header");
      gone.close();

      JsonObject node = awaitNode(server, n -> sum(n.getJsonObject("closed")) == 10);
      assertEquals(List.of(4L, 6L, 0L), List.of(node.getLong("accepted"), node.getLong("rejected"), node.getLong("active")));
      assertEquals(new JsonObject().put("client-closed", 3).put("per-ip-limit", 1).put("proxy-header", 2)
        .put("proxy-timeout", 1).put("quit", 1).put("server-full", 1).put("tls-handshake-failed", 1), node.getJsonObject("closed"));
      assertEquals(sum(node.getJsonObject("closed")), node.getLong("accepted") - node.getLong("active") + node.getLong("rejected"));

      List<String> logged = await("10 access log lines").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> accessLines(server.output()), lines -> lines.size() >= 10);
      assertEquals(sorted(expected), sorted(logged), server.output());
    }
  }

  private static JsonObject awaitNode(JarProcess server, Predicate<JsonObject> condition) {
    return await("the node's stats").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
      .until(() -> new HttpGet().json(server.httpPort(), "/stats").getJsonObject("node"), condition);
  }

  /** A plain connection that opens with a PROXY v1 header naming {@code source} as the client. */
  private static Wire proxied(int port, String source, int sourcePort) {
    return Wire.connect(port).send("PROXY TCP4 " + source + " 192.0.2.1 " + sourcePort + " 9999\r\n");
  }

  /** The address the server sees for a direct connection: this end's. */
  private static String peer(Wire wire) {
    return "127.0.0.1:" + wire.socket().getLocalPort();
  }

  private static long sum(JsonObject counts) {
    return counts.stream().mapToLong(entry -> ((Number) entry.getValue()).longValue()).sum();
  }

  /** "client reason" of each access-log line. */
  private static List<String> accessLines(String output) {
    List<String> lines = new ArrayList<>();
    Matcher matcher = ACCESS_LINE.matcher(output);
    while (matcher.find()) {
      lines.add(matcher.group(1) + " " + matcher.group(2));
    }
    return lines;
  }

  private static List<String> sorted(List<String> lines) {
    return lines.stream().sorted().toList();
  }
}
