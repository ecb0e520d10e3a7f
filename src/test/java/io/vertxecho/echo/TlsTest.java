package io.vertxecho.echo;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.TestCertificates;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import io.vertxecho.config.ConfigException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import io.vertxecho.bench.Bench;
import io.vertxecho.client.EchoClient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Supplier;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@ExtendWith(VertxExtension.class)
@Timeout(60)
@DisplayName("The TLS echo port, with real certificates made by cluster/dev-cert.sh")
class TlsTest {

  @TempDir
  static Path dir;
  private static TestCertificates certificates;
  private static TestCertificates stranger;

  @BeforeAll
  static void makeCertificates() {
    certificates = TestCertificates.make(dir.resolve("node"));
    stranger = TestCertificates.make(dir.resolve("stranger"));
  }

  private static JsonObject tls(TestCertificates with, String clientAuth) {
    return new JsonObject().put("tls", new JsonObject().put("port", 0)
      .put("certPath", with.serverCert().toString()).put("keyPath", with.serverKey().toString())
      .put("clientAuth", clientAuth).put("trustPath", with.ca().toString()));
  }

  @Test
  @DisplayName("speaks the same protocol as the plain port, and the stats count it")
  void echoesOverTls(Vertx vertx) {
    TestNode node = TestNode.start(vertx, tls(certificates, "none"));
    try (Wire client = certificates.connect(node.tlsPort())) {
      client.send("hello over tls\r\nexit\n");
      assertEquals("Welcome to my server\nhello over tls\r\nBye\n", client.readToEndString());
    }
    JsonObject stats = node.awaitNode(n -> TestNode.closed(n, "quit") == 1);
    assertEquals(1, stats.getLong("accepted"));
  }

  @Test
  @DisplayName("a TLS port already in use stops the node with one message naming the address, the keys and the files")
  void tlsPortInUse(Vertx vertx) throws IOException {
    try (ServerSocket taken = new ServerSocket(0)) {
      JsonObject config = tls(certificates, "none");
      config.getJsonObject("tls").put("port", taken.getLocalPort());
      ConfigException refused = assertThrows(ConfigException.class, () -> TestNode.start(vertx, config));
      assertTrue(refused.getMessage().startsWith("Cannot listen with TLS on 0.0.0.0:" + taken.getLocalPort()
        + " (host, tls.port, tls.certPath " + certificates.serverCert() + ", tls.keyPath " + certificates.serverKey() + "): "),
        refused.getMessage());
      assertTrue(refused.getMessage().contains("Address already in use"), refused.getMessage());
    }
  }

  @Test
  @DisplayName("plaintext on the TLS port gets no greeting and is counted as a failed handshake")
  void plaintextRefused(Vertx vertx) {
    TestNode node = TestNode.start(vertx, tls(certificates, "none"));
    try (Wire client = Wire.connect(node.tlsPort())) {
      client.send("hello\n");
      assertFalse(new String(client.readToEnd()).contains("Welcome"));
    }
    node.awaitNode(n -> TestNode.closed(n, "tls-handshake-failed") == 1 && n.getLong("accepted") == 0);
  }

  @Test
  @DisplayName("with client certificates required, a client of the trusted CA is served; none or a stranger's is refused")
  void clientCertificatesRequired(Vertx vertx) {
    TestNode node = TestNode.start(vertx, tls(certificates, "required"));
    try (Wire client = certificates.connectAs(certificates, node.tlsPort())) {
      assertEquals("Welcome to my server", client.readLine());
    }
    assertRefused(() -> certificates.connect(node.tlsPort()));
    assertRefused(() -> certificates.connectAs(stranger, node.tlsPort()));
    node.awaitNode(n -> TestNode.closed(n, "tls-handshake-failed") == 2 && n.getLong("accepted") == 1);
  }

  @Test
  @DisplayName("a rewritten certificate and key are used for new connections without a restart; open ones go on")
  void reloadsCertificate(Vertx vertx) throws Exception {
    Path live = Files.createDirectories(dir.resolve("live"));
    copy(certificates, live);
    TestNode node = TestNode.start(vertx, tls(new TestCertificates(live), "none").put("configScanMillis", 100));
    try (Wire open = certificates.connect(node.tlsPort())) {
      assertEquals("Welcome to my server", open.readLine());
      copy(stranger, live);
      await("the new certificate presented").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> {
          try (SSLSocket probe = TestCertificates.connectTrustingAnyone(node.tlsPort())) {
            assertEquals(stranger.serverCertificate(), probe.getSession().getPeerCertificates()[0],
              "the certificate presented after the files changed");
          }
        });
      try (Wire renewed = stranger.connect(node.tlsPort())) {
        assertEquals("Welcome to my server", renewed.readLine());
      }
      open.send("still here\n");
      assertEquals("still here", open.readLine());
    }
  }

  @Test
  @DisplayName("the bundled client and bench speak TLS: --ca checks the server's certificate, --insecure does not")
  void clientAndBenchOverTls(Vertx vertx) {
    TestNode node = TestNode.start(vertx, tls(certificates, "none"));
    String port = String.valueOf(node.tlsPort());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = EchoClient.run(new String[] {"--host", "localhost", "--port", port, "--ca", certificates.ca().toString(),
      "--send", "hello"}, InputStream.nullInputStream(), new PrintStream(out, true), new PrintStream(err, true));
    assertEquals(EchoClient.EXIT_OK, exit, err.toString());
    assertEquals("Welcome to my server\nhello\n", out.toString());

    int untrusted = EchoClient.run(new String[] {"--host", "localhost", "--port", port, "--ca", stranger.ca().toString(),
      "--send", "hello"}, InputStream.nullInputStream(), new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(err, true));
    assertEquals(EchoClient.EXIT_FAILED, untrusted, "a server certificate the given CA did not sign");

    int bench = Bench.run(new String[] {"--host", "127.0.0.1", "--port", port, "--insecure", "--connections", "2",
      "--messages", "20", "--quiet"}, new PrintStream(out, true), new PrintStream(err, true));
    assertEquals(Bench.EXIT_OK, bench, err.toString());
  }

  private static void copy(TestCertificates from, Path to) throws IOException {
    Files.copy(from.serverCert(), to.resolve("server.pem"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(from.serverKey(), to.resolve("server.key"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(from.ca(), to.resolve("ca.pem"), StandardCopyOption.REPLACE_EXISTING);
  }

  /** The handshake fails, or (TLS 1.3, where the server judges the client certificate last) the first read does. */
  private static void assertRefused(Supplier<Wire> connect) {
    try (Wire client = connect.get()) {
      String line = client.readLine();
      if (line != null) {
        fail("a refused client was served: " + line);
      }
    } catch (UncheckedIOException refused) {
      // the expected outcome: an alert or a reset
    }
  }
}
