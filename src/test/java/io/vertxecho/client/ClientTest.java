package io.vertxecho.client;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.DeployerVerticle;
import io.vertxecho.config.ConfigLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  @DisplayName("client --send TEXT --count N prints the greeting and N echoes, then exits 0")
  void scriptedMode(Vertx vertx) {
    int port = startEchoServer(vertx, new JsonObject());

    int exit = client("", "--host", "127.0.0.1", "--port", String.valueOf(port), "--send", "hello there", "--count", "3");

    assertEquals(EchoClient.EXIT_OK, exit, errors());
    assertEquals("Welcome to my server\nhello there\nhello there\nhello there\n", output());
  }

  @Test
  @DisplayName("client sends the lines typed on stdin and prints every reply, including those after end of input")
  void interactiveMode(Vertx vertx) {
    int port = startEchoServer(vertx, new JsonObject());

    int exit = client("one\ntwo\nthree\n", "--host", "127.0.0.1", "--port", String.valueOf(port));

    assertEquals(EchoClient.EXIT_OK, exit, errors());
    assertEquals("Welcome to my server\none\ntwo\nthree\n", output());
  }

  @Test
  @DisplayName("client in line mode sends a last typed line without a newline as a line, newline added")
  void lineModeEndsTheLastLine(Vertx vertx) {
    int port = startEchoServer(vertx, new JsonObject());

    int exit = client("one\ntwo", "--host", "127.0.0.1", "--port", String.valueOf(port));

    assertEquals(EchoClient.EXIT_OK, exit, errors());
    assertEquals("Welcome to my server\none\ntwo\n", output());
  }

  @Test
  @DisplayName("client --raw sends stdin's bytes untouched: no newline added, none dropped, nothing re-encoded")
  void rawInputUntouched(Vertx vertx) {
    int port = startEchoServer(vertx, new JsonObject().put("mode", "raw").put("greeting", ""));
    byte[] input = {'a', 'b', 'c', '\r', '\n', 'd', (byte) 0xff, 'e'};

    int exit = client(input, "--host", "127.0.0.1", "--port", String.valueOf(port), "--raw");

    assertEquals(EchoClient.EXIT_OK, exit, errors());
    assertArrayEquals(input, out.toByteArray(), output());
  }

  @Test
  @DisplayName("client --raw prints the echoed bytes as they come back")
  void rawScriptedMode(Vertx vertx) {
    int port = startEchoServer(vertx, new JsonObject().put("mode", "raw").put("greeting", ""));

    int exit = client("", "--host", "127.0.0.1", "--port", String.valueOf(port), "--raw", "--send", "abc", "--count", "2");

    assertEquals(EchoClient.EXIT_OK, exit, errors());
    assertEquals("abc\nabc\n", output());
  }

  @Test
  @DisplayName("client exits 3 with a clear message when the server closes with an ERR line")
  void serverError(Vertx vertx) {
    int port = startEchoServer(vertx, new JsonObject().put("maxConnections", 1));
    // Held until the end: Vert.x closes a NetClient, and the connection that fills the server, once it is garbage.
    NetClient holder = vertx.createNetClient();
    NetSocket held = holder.connect(port, "127.0.0.1").await();
    CompletableFuture<Void> echoed = new CompletableFuture<>();
    held.handler(data -> echoed.complete(null));
    held.write("ping\n");
    echoed.join();

    int exit = client("", "--host", "127.0.0.1", "--port", String.valueOf(port), "--send", "hello");
    holder.close().await();

    assertEquals(EchoClient.EXIT_SERVER_ERROR, exit, () -> "output: " + output() + ", errors: " + errors());
    assertEquals("ERR server full\n", output());
    assertEquals("client: the server closed the connection with: ERR server full", errors());
  }

  @Test
  @DisplayName("client gets the line of a server that answers and closes at once, before the client has set up "
    + "(with epoll, Netty reads a closed connection whatever auto-read says), 30 times in a row")
  void serverThatAnswersAndClosesAtOnce() throws Exception {
    int runs = 30;
    try (ServerSocket server = new ServerSocket(0, runs, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> answering = CompletableFuture.runAsync(() -> {
        for (int i = 0; i < runs; i++) {
          try (Socket socket = server.accept()) {
            socket.getOutputStream().write("ERR server full\n".getBytes(StandardCharsets.US_ASCII));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      });
      for (int i = 1; i <= runs; i++) {
        out.reset();
        err.reset();
        int exit = client("", "--host", "127.0.0.1", "--port", String.valueOf(server.getLocalPort()), "--send", "hello");
        int run = i;
        assertEquals(EchoClient.EXIT_SERVER_ERROR, exit, () -> "run " + run + ": output: " + output() + ", errors: " + errors());
        assertEquals("ERR server full\n", output());
      }
      answering.join();
    }
  }

  @Test
  @DisplayName("client exits 1 with one line naming the address when nothing listens there")
  void unreachable() throws IOException {
    // A port bound but not listening refuses connections, and no one else can listen on it while it is held. A closed
    // server's port is not enough: with NIO, the JDK closes a listening socket registered with a selector only at the
    // selector's next select, after the close future has completed, and a connect in between is accepted, then reset.
    try (Socket held = new Socket()) {
      held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = held.getLocalPort();

      int exit = client("", "--host", "127.0.0.1", "--port", String.valueOf(port), "--send", "hello");

      assertEquals(EchoClient.EXIT_FAILED, exit);
      assertTrue(errors().startsWith("client: cannot connect to 127.0.0.1:" + port + ": "), errors());
      assertEquals(1, errors().lines().count());
    }
  }

  @Test
  @DisplayName("client rejects an unknown option with exit code 2 and names what is allowed")
  void badOption() {
    int exit = client("", "--colour", "blue");

    assertEquals(EchoClient.EXIT_USAGE, exit);
    assertEquals("client: unknown option --colour (allowed: --host, --port, --raw, --send, --count, --timeout, --tls, --ca, "
      + "--insecure, --help; "
      + "--help explains them)", errors());
  }

  @Test
  @DisplayName("client --help prints the generated help with every option and its default, and exits 0")
  void help() {
    int exit = client("", "--help");

    assertEquals(EchoClient.EXIT_OK, exit, errors());
    assertTrue(output().startsWith("Usage: java -jar vertx-echo.jar client [OPTIONS]\n"), output());
    for (String option : new String[] {"--host=HOST", "--port=PORT", "--raw", "--send=TEXT", "--count=N", "--timeout=SECONDS", "-h, --help"}) {
      assertTrue(output().contains(option), option + " missing from:\n" + output());
    }
    assertTrue(output().contains("server port, 1-65535 (default 9999)"), output());
    assertTrue(output().contains("Exit codes: 0 every --send echoed"), output());
    assertEquals("", errors());
  }

  @Test
  @DisplayName("client rejects an out-of-range value with exit code 2, naming the option, the value and the range")
  void outOfRangeValue() {
    int exit = client("", "--port", "70000");

    assertEquals(EchoClient.EXIT_USAGE, exit);
    assertEquals("client: option --port must be a whole number from 1 to 65535 (got 70000)", errors());
    assertEquals("", output());
  }

  @Test
  @DisplayName("client rejects a value that is not a number with exit code 2, naming the option and the value")
  void notANumber() {
    int exit = client("", "--timeout", "ten");

    assertEquals(EchoClient.EXIT_USAGE, exit);
    assertEquals("client: invalid value for option '--timeout': 'ten' is not a whole number", errors());
  }

  @Test
  @DisplayName("client options keep a value that starts with @ (no argument file) and let the last repeat win")
  void literalValues() {
    ClientOptions options = ClientOptions.parse("--send", "@home", "--port", "7", "--port", "1_000");

    assertEquals("@home", options.send());
    assertEquals(1000, options.port());
    assertEquals(1, options.count());
  }

  @Test
  @DisplayName("client refuses --send given twice (the text is data: the last-wins rule would drop a line)")
  void sendTwice() {
    int exit = client("", "--send", "one", "--send", "two");

    assertEquals(EchoClient.EXIT_USAGE, exit);
    assertEquals("client: option --send was given 2 times; the client sends one line of text (--count N sends it N times)",
      errors());
    assertEquals("", output());
  }

  @Test
  @DisplayName("client exits 1 with plain lines, no transport error code, when the server resets the connection")
  void reset() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> resetDone = CompletableFuture.runAsync(() -> {
        try (Socket socket = server.accept()) {
          socket.getInputStream().read();  // the client's line has arrived
          socket.setSoLinger(true, 0);     // close with a RST
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });

      int exit = client("", "--host", "127.0.0.1", "--port", String.valueOf(server.getLocalPort()), "--send", "hello");
      resetDone.join();

      assertEquals(EchoClient.EXIT_FAILED, exit);
      assertEquals("client: the server reset the connection\n"
        + "client: the server closed the connection early (0 of 1 echoes received)", errors());
    }
  }

  private int client(String stdin, String... args) {
    return client(stdin.getBytes(StandardCharsets.UTF_8), args);
  }

  private int client(byte[] stdin, String... args) {
    return EchoClient.run(args, new ByteArrayInputStream(stdin),
      new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String output() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String errors() {
    return err.toString(StandardCharsets.UTF_8).trim();
  }

  private static int startEchoServer(Vertx vertx, JsonObject settings) {
    JsonObject config = new JsonObject().put("port", 0).put("http", new JsonObject().put("port", 0)).mergeIn(settings);
    DeployerVerticle deployer = DeployerVerticle.standalone(new ConfigLoader(config, Map.of(), new Properties()));
    vertx.deployVerticle(deployer).await();
    return deployer.echoPort();
  }
}
