package io.vertxecho.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.transport.Transport;
import io.vertxecho.Wire;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The transport the launcher builds every node with: Vert.x's own, minus redundant socket options. */
@Timeout(60)
@DisplayName("Echo transport")
class ServerTransportTest {

  private static final VertxOptions OPTIONS = new VertxOptions().setPreferNativeTransport(true);
  private static final Transport CHOSEN = ServerTransport.chosenBy(OPTIONS);

  @Test
  @DisplayName("accepted sockets get no option at the value they already have; every other value is set as Vert.x sets it")
  void acceptedSocketOptions() {
    NetServerOptions defaults = new NetServerOptions().setTcpNoDelay(true);
    Map<String, Object> byVertx = childOptions(CHOSEN.implementation(), defaults);
    Map<String, Object> byUs = childOptions(ServerTransport.around(CHOSEN, Duration.ofSeconds(5), Integer.MAX_VALUE).implementation(), defaults);
    Set<String> dropped = new TreeSet<>(byVertx.keySet());
    dropped.removeAll(byUs.keySet());
    Set<String> expected = Set.of("SO_KEEPALIVE", "TCP_NODELAY");
    assertEquals(expected, dropped, () -> CHOSEN.name() + " transport; Vert.x sets " + byVertx + ", we set " + byUs);
    byUs.forEach((option, value) -> assertEquals(byVertx.get(option), value, option));

    NetServerOptions changed = new NetServerOptions().setTcpNoDelay(false).setTcpKeepAlive(true)
      .setTcpUserTimeout(5000).setTcpQuickAck(true).setTcpCork(true);
    assertEquals(childOptions(CHOSEN.implementation(), changed), childOptions(ServerTransport.around(CHOSEN, Duration.ofSeconds(5), Integer.MAX_VALUE).implementation(), changed));
  }

  @Test
  @DisplayName("an accepted socket still has Nagle off and keep-alive off without those options set")
  void acceptedSocketState() throws Exception {
    Vertx vertx = Vertx.builder().with(OPTIONS).withTransport(ServerTransport.around(CHOSEN, Duration.ofSeconds(5), Integer.MAX_VALUE)).build();
    try {
      CompletableFuture<Channel> accepted = new CompletableFuture<>();
      NetServer server = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true))
        .connectHandler(socket -> accepted.complete(((NetSocketInternal) socket).channelHandlerContext().channel()))
        .listen(0, "127.0.0.1").await();
      try (Wire client = Wire.connect(server.actualPort())) {
        Channel channel = accepted.get(10, TimeUnit.SECONDS);
        assertEquals(true, channel.config().getOption(ChannelOption.TCP_NODELAY));
        assertEquals(false, channel.config().getOption(ChannelOption.SO_KEEPALIVE));
      }
    } finally {
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("at the ceiling of open sockets a server stops accepting: the next client waits in the backlog until a socket closes")
  void acceptCeiling() throws Exception {
    Vertx vertx = Vertx.builder().with(OPTIONS).withTransport(ServerTransport.around(CHOSEN, Duration.ofSeconds(5), 3)).build();
    List<Wire> clients = new ArrayList<>();
    try {
      NetServer server = vertx.createNetServer().connectHandler(socket -> socket.write("hello\n"))
        .listen(0, "127.0.0.1").await();
      for (int i = 0; i < 3; i++) {
        clients.add(Wire.connect(server.actualPort()));
        assertEquals("hello", clients.get(i).readLine(), "client " + i);
      }
      // Connected by the kernel, in the backlog: the server, at its ceiling, does not accept it.
      Wire waiting = Wire.connect(server.actualPort());
      clients.add(waiting);
      waiting.socket().setSoTimeout(1000);
      assertThrows(UncheckedIOException.class, waiting::readLine, "a client was accepted past the ceiling");
      waiting.socket().setSoTimeout(20_000);
      clients.get(0).close();
      assertEquals("hello", waiting.readLine(), "the waiting client, once a socket closed");
    } finally {
      clients.forEach(Wire::close);
      vertx.close().await();
    }
  }

  /** The child options a transport gives a server's bootstrap, by short name (TCP_CORK for EpollChannelOption#TCP_CORK). */
  private static Map<String, Object> childOptions(io.vertx.core.spi.transport.Transport transport, NetServerOptions options) {
    ServerBootstrap bootstrap = new ServerBootstrap();
    transport.configure(options.getTransportOptions(), false, bootstrap);
    return bootstrap.config().childOptions().entrySet().stream()
      .collect(Collectors.toMap(entry -> shortName(entry.getKey()), Map.Entry::getValue));
  }

  private static String shortName(ChannelOption<?> option) {
    return option.name().substring(option.name().lastIndexOf('#') + 1);
  }
}
