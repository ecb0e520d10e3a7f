package io.vertxecho.echo;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.TcpConfig;
import io.vertx.core.transport.Transport;

import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ThreadFactory;

/**
 * The transport Vert.x would pick (native when preferred and available, else NIO), with three changes to the servers
 * it configures; the launcher builds every node's Vert.x with it. Clients are configured exactly as by the delegate
 * (but see {@link #clientVertx}).
 * <ul>
 *   <li><b>Accepted sockets get only the options that change something.</b> Vert.x sets {@code SO_KEEPALIVE} off and
 *   {@code TCP_NODELAY} on on every accepted socket: two system calls per connection that change nothing, as they are
 *   the kernel's default and what Netty's socket channels set when they are created. (Vert.x 5.0 also set
 *   {@code TCP_USER_TIMEOUT} 0, {@code TCP_QUICKACK} off and {@code TCP_CORK} off with epoll; 5.2 sets them only when
 *   configured, and they are dropped at those values too.) An option set to anything else is kept.</li>
 *   <li><b>A deadline for the PROXY header.</b> Every server puts a {@link ProxyHeaderDeadline} first in each accepted
 *   connection's pipeline; it stays only where Vert.x put a PROXY header decoder, so a client that sends no header is
 *   closed with its own close reason. Vert.x's transport SPI is the one public place that sees an accepted
 *   connection before the PROXY header is read, and since Vert.x 5.1 it no longer sees the server's options.</li>
 *   <li><b>Refused connections keep their address.</b> A connection that fails its TLS handshake or its PROXY header
 *   is reported to the server's exception handler as a {@link Refusal} naming it ({@link RefusalAddresses}), so its
 *   access-log line and {@code rejected} event say where it came from.</li>
 * </ul>
 * The bundled client and bench build their Vert.x with {@link #clientVertx}: there, a connection delivers nothing until
 * {@code VertxInternals.connect} has handed it over, so a server's greeting cannot arrive before its handler.
 */
public final class EchoTransport implements io.vertx.core.spi.transport.Transport {

  private static final String EPOLL_OPTION = "io.netty.channel.epoll.EpollChannelOption#";
  /** Child options, by name, that Vert.x sets on every accepted socket, and the value at which setting them is redundant. */
  private static final Map<String, Object> REDUNDANT = Map.of(
    ChannelOption.SO_KEEPALIVE.name(), false,
    ChannelOption.TCP_NODELAY.name(), true,
    EPOLL_OPTION + "TCP_USER_TIMEOUT", 0,
    EPOLL_OPTION + "TCP_QUICKACK", false,
    EPOLL_OPTION + "TCP_CORK", false);

  private final io.vertx.core.spi.transport.Transport delegate;
  private final long timeoutMillis;
  private final boolean readAfterConnect;

  private EchoTransport(io.vertx.core.spi.transport.Transport delegate, long timeoutMillis, boolean readAfterConnect) {
    this.delegate = delegate;
    this.timeoutMillis = timeoutMillis;
    this.readAfterConnect = readAfterConnect;
  }

  /** The transport Vert.x builds with for {@code options}: native when preferred and available, else NIO. */
  public static Transport chosenBy(VertxOptions options) {
    Transport preferred = options.getPreferNativeTransport() ? Transport.nativeTransport() : null;
    return preferred != null && preferred.available() ? preferred : Transport.NIO;
  }

  /** For {@code VertxBuilder.withTransport}: {@code chosen} (available), with the changes above. */
  public static Transport around(Transport chosen) {
    return wrap(chosen, false);
  }

  /**
   * A Vert.x for clients of server-first protocols: its client connections start with auto-read off and a
   * {@link HandOverGate} first in their pipeline, and {@code VertxInternals.connect} opens both once the socket has its
   * handlers (since Vert.x 5.1 a connect future completes through a task queued on the event loop, after reads the
   * same wake-up may already have delivered, and a connection the server closed at once may even be closed by then).
   * Only for clients that connect through {@code VertxInternals.connect}: any other client of this Vert.x reads nothing.
   */
  public static Vertx clientVertx(VertxOptions options) {
    return Vertx.builder().with(options).withTransport(wrap(chosenBy(options), true)).build();
  }

  private static Transport wrap(Transport chosen, boolean readAfterConnect) {
    var implementation = new EchoTransport(chosen.implementation(), EchoVerticle.PROXY_HEADER_TIMEOUT_SECONDS * 1000L, readAfterConnect);
    return new Transport() {
      @Override
      public String name() {
        return chosen.name();
      }

      @Override
      public boolean available() {
        return true;
      }

      @Override
      public Throwable unavailabilityCause() {
        return null;
      }

      @Override
      public io.vertx.core.spi.transport.Transport implementation() {
        return implementation;
      }
    };
  }

  @Override
  public void configure(TcpConfig options, boolean domainSocket, ServerBootstrap bootstrap) {
    delegate.configure(options, domainSocket, bootstrap);
    bootstrap.config().childOptions().forEach((option, value) -> {
      if (value.equals(REDUNDANT.get(option.name()))) {
        bootstrap.childOption(option, null);
      }
    });
    bootstrap.handler(new AcceptedChannels());
  }

  /** On the listening channel: sees each accepted channel before it is registered and initialised. */
  @ChannelHandler.Sharable
  private final class AcceptedChannels extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object accepted) {
      ((Channel) accepted).pipeline().addFirst(new ProxyHeaderDeadline(timeoutMillis)).addFirst(RefusalAddresses.placer());
      ctx.fireChannelRead(accepted);
    }
  }

  @Override
  public boolean supportsDomainSockets() {
    return delegate.supportsDomainSockets();
  }

  @Override
  public boolean supportFileRegion() {
    return delegate.supportFileRegion();
  }

  @Override
  public boolean isAvailable() {
    return delegate.isAvailable();
  }

  @Override
  public Throwable unavailabilityCause() {
    return delegate.unavailabilityCause();
  }

  @Override
  public SocketAddress convert(io.vertx.core.net.SocketAddress address) {
    return delegate.convert(address);
  }

  @Override
  public io.vertx.core.net.SocketAddress convert(SocketAddress address) {
    return delegate.convert(address);
  }

  @Override
  public IoHandlerFactory ioHandlerFactory() {
    return delegate.ioHandlerFactory();
  }

  @Override
  public EventLoopGroup eventLoopGroup(int type, int nThreads, ThreadFactory threadFactory, int ioRatio) {
    return delegate.eventLoopGroup(type, nThreads, threadFactory, ioRatio);
  }

  @Override
  public DatagramChannel datagramChannel(InternetProtocolFamily family) {
    return delegate.datagramChannel(family);
  }

  @Override
  public ChannelFactory<? extends DatagramChannel> datagramChannelFactory() {
    return delegate.datagramChannelFactory();
  }

  @Override
  public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
    ChannelFactory<? extends Channel> channels = delegate.channelFactory(domainSocket);
    if (!readAfterConnect) {
      return channels;
    }
    return () -> {
      Channel channel = channels.newChannel();
      channel.pipeline().addFirst(new HandOverGate());
      return channel;
    };
  }

  @Override
  public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
    return delegate.serverChannelFactory(domainSocket);
  }

  @Override
  public void configure(DatagramChannel channel, DatagramSocketOptions options) {
    delegate.configure(channel, options);
  }

  @Override
  public void configure(TcpConfig options, boolean domainSocket, Bootstrap bootstrap) {
    delegate.configure(options, domainSocket, bootstrap);
    if (readAfterConnect) {
      bootstrap.option(ChannelOption.AUTO_READ, false);
    }
  }
}
