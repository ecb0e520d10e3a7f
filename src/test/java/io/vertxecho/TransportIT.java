package io.vertxecho;

import io.vertx.core.transport.Transport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(120)
@DisplayName("The transport key: each transport echoes, auto falls back with one line, a refused one stops the start")
class TransportIT {

  /** Netty's switch that makes every native transport unavailable, as a kernel or seccomp profile refusing it would. */
  private static final List<String> NO_NATIVE = List.of("-Dio.netty.transport.noNative=true");

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"epoll", "io_uring", "nio"})
  @DisplayName("a named transport is the one the node says it listens on, and it echoes, also bytes sent with the FIN")
  void namedTransportEchoes(String transport) throws IOException {
    assumeTrue(transport.equals("nio") || available(transport), transport + " is not available on this machine");
    try (JarProcess node = JarProcess.startListening(Map.of("ECHO_TRANSPORT", transport, "ECHO_MODE", "raw"))) {
      assertTrue(node.output().contains(", " + transport + " transport), node "), node.output());
      try (Socket socket = new Socket("127.0.0.1", node.echoPort())) {
        byte[] sent = ("through " + transport + "\n").getBytes(StandardCharsets.US_ASCII);
        OutputStream out = socket.getOutputStream();
        out.write(sent);
        out.flush();
        InputStream in = socket.getInputStream();
        assertArrayEquals(sent, in.readNBytes(sent.length));
      }
      // bytes and the FIN at once: io_uring acts on the FIN before the read completes, where the echo is flushed
      try (Socket socket = new Socket("127.0.0.1", node.echoPort())) {
        byte[] sent = ("last words through " + transport).getBytes(StandardCharsets.US_ASCII);
        socket.getOutputStream().write(sent);
        socket.shutdownOutput();
        assertArrayEquals(sent, socket.getInputStream().readAllBytes());
      }
    }
  }

  @Test
  @DisplayName("auto where no native transport is allowed: one line says why io_uring was passed over, and the node runs on NIO")
  void autoFallsBackWithOneLine() {
    try (JarProcess node = JarProcess.startOnRandomPorts(Map.of("ECHO_TRANSPORT", "auto"), NO_NATIVE)) {
      node.awaitOutput("Succeeded in deploying verticle");
      String output = node.output();
      List<String> fallback = output.lines().filter(line -> line.contains("transport auto:")).toList();
      assertEquals(1, fallback.size(), output);
      assertTrue(fallback.get(0).endsWith("transport auto: io_uring is not available here (Native transport was explicit disabled"
        + " with -Dio.netty.transport.noNative=true), using nio"), output);
      assertTrue(output.contains(", nio transport), node "), output);
    }
  }

  @Test
  @DisplayName("a named transport that is not available stops the start with one line saying why, exit code 78")
  void refusedNamedTransport() {
    try (JarProcess node = JarProcess.startOnRandomPorts(Map.of("ECHO_TRANSPORT", "io_uring"), NO_NATIVE)) {
      assertEquals(78, node.awaitExit(60));
      String output = node.output().strip();
      assertEquals(1, output.lines().count(), output);
      assertTrue(output.endsWith("Transport io_uring (config transport) is not available here: Native transport was explicit"
        + " disabled with -Dio.netty.transport.noNative=true; transport auto takes the best one that is"), output);
    }
  }

  private static boolean available(String transport) {
    Transport vertx = transport.equals("epoll") ? Transport.EPOLL : Transport.IO_URING;
    return vertx != null && vertx.available();
  }
}
