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
import io.vertx.core.VertxOptions;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.transport.Transport;

import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ThreadFactory;

/**
 * The transport Vert.x would pick (native when preferred and available, else NIO), with two changes to the servers
 * it configures; the launcher builds every node's Vert.x with it. Clients are configured exactly as by the delegate.
 * <ul>
 *   <li><b>Accepted sockets get only the options that change something.</b> Vert.x 5.0 sets {@code SO_KEEPALIVE} off,
 *   {@code TCP_NODELAY} on and, with epoll, {@code TCP_USER_TIMEOUT} 0, {@code TCP_QUICKACK} off and {@code TCP_CORK}
 *   off on every accepted socket: five system calls per connection. Four change nothing: they are the kernel's
 *   defaults, and Netty's socket channels turn {@code TCP_NODELAY} on when they are created. {@code TCP_QUICKACK} off
 *   puts the socket into delayed-ACK mode at once; without it the kernel starts in quick-ACK mode and switches by
 *   itself, as it does for the Netty and C baselines. An option set to anything else is kept.</li>
 *   <li><b>A deadline for the PROXY header.</b> Every server with the PROXY protocol on puts a
 *   {@link ProxyHeaderDeadline} first in each accepted connection's pipeline, so a client that sends no header is
 *   closed with its own close reason. Vert.x's transport SPI is the one public place that sees an accepted
 *   connection before the PROXY header is read.</li>
 * </ul>
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

  private EchoTransport(io.vertx.core.spi.transport.Transport delegate, long timeoutMillis) {
    this.delegate = delegate;
    this.timeoutMillis = timeoutMillis;
  }

  /** The transport Vert.x builds with for {@code options}: native when preferred and available, else NIO. */
  public static Transport chosenBy(VertxOptions options) {
    Transport preferred = options.getPreferNativeTransport() ? Transport.nativeTransport() : null;
    return preferred != null && preferred.available() ? preferred : Transport.NIO;
  }

  /** For {@code VertxBuilder.withTransport}: {@code chosen} (available), with the changes above. */
  public static Transport around(Transport chosen) {
    var implementation = new EchoTransport(chosen.implementation(), EchoVerticle.PROXY_HEADER_TIMEOUT_SECONDS * 1000L);
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
  public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
    delegate.configure(options, domainSocket, bootstrap);
    bootstrap.config().childOptions().forEach((option, value) -> {
      if (value.equals(REDUNDANT.get(option.name()))) {
        bootstrap.childOption(option, null);
      }
    });
    if (options.isUseProxyProtocol()) {
      bootstrap.handler(new AcceptedChannels());
    }
  }

  /** On the listening channel: sees each accepted channel before it is registered and initialised. */
  @ChannelHandler.Sharable
  private final class AcceptedChannels extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object accepted) {
      ((Channel) accepted).pipeline().addFirst(new ProxyHeaderDeadline(timeoutMillis));
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
  public DatagramChannel datagramChannel() {
    return delegate.datagramChannel();
  }

  @Override
  public DatagramChannel datagramChannel(InternetProtocolFamily family) {
    return delegate.datagramChannel(family);
  }

  @Override
  public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
    return delegate.channelFactory(domainSocket);
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
  public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
    delegate.configure(options, connectTimeout, domainSocket, bootstrap);
  }
}
