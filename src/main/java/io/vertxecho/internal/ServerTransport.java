package io.vertxecho.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.TcpConfig;
import io.vertx.core.transport.Transport;

import java.time.Duration;
import java.util.Map;

/**
 * The transport the node runs on (the launcher picks it by the config's {@code transport}), with four changes to the servers
 * it configures; the launcher builds every node's Vert.x with it. Clients are configured exactly as by Vert.x.
 * <ul>
 *   <li><b>Accepted sockets get only the options that change something.</b> Vert.x sets {@code SO_KEEPALIVE} off and
 *   {@code TCP_NODELAY} on on every accepted socket: two system calls per connection that change nothing, as they are
 *   the kernel's default and what Netty's socket channels set when they are created. (Vert.x 5.0 also set
 *   {@code TCP_USER_TIMEOUT} 0, {@code TCP_QUICKACK} off and {@code TCP_CORK} off with epoll and io_uring; 5.2 sets them only when
 *   configured, and they are dropped at those values too.) An option set to anything else is kept.
 *   Waits for: Vert.x setting on accepted sockets only the options that differ from the channel's.</li>
 *   <li><b>A deadline for the PROXY header.</b> Every server puts a {@link ProxyHeaderDeadline} first in each accepted
 *   connection's pipeline; it stays only where Vert.x put a PROXY header decoder. The transport SPI is the one public
 *   place that sees an accepted connection before the PROXY header is read, and since Vert.x 5.1 it no longer sees
 *   the server's options. Waits for: {@code NetServerOptions.setProxyProtocolTimeout} as a deadline whose expiry
 *   reaches the server's exception handler.</li>
 *   <li><b>Refused connections keep their address.</b> A connection that fails its TLS handshake or its PROXY header
 *   reaches the server's exception handler as a {@link Refusal} naming it ({@link RefusalAddresses}), so its
 *   access-log line and {@code rejected} event say where it came from. Waits for: a {@code NetServer} exception
 *   handler that is told the connection of a failure.</li>
 *   <li><b>A ceiling on open sockets.</b> The servers stop accepting while they hold as many sockets as the open-file
 *   limit leaves room for ({@link AcceptCeiling}), so that accept() never fails for want of a descriptor.</li>
 * </ul>
 */
public final class ServerTransport extends DelegatingTransport {

  private static final String EPOLL_OPTION = "io.netty.channel.epoll.EpollChannelOption#";
  private static final String IO_URING_OPTION = "io.netty.channel.uring.IoUringChannelOption#";
  private static final String ACCEPT_MULTISHOT = "io.netty.iouring.acceptMultiShotEnabled";
  /** Child options, by name, that Vert.x sets on every accepted socket, and the value at which setting them is redundant. */
  private static final Map<String, Object> REDUNDANT = Map.of(
    ChannelOption.SO_KEEPALIVE.name(), false,
    ChannelOption.TCP_NODELAY.name(), true,
    EPOLL_OPTION + "TCP_USER_TIMEOUT", 0,
    EPOLL_OPTION + "TCP_QUICKACK", false,
    EPOLL_OPTION + "TCP_CORK", false,
    IO_URING_OPTION + "TCP_USER_TIMEOUT", 0,
    IO_URING_OPTION + "TCP_QUICKACK", false,
    IO_URING_OPTION + "TCP_CORK", false);

  private final long proxyHeaderTimeoutMillis;
  private final AcceptCeiling ceiling;

  private ServerTransport(io.vertx.core.spi.transport.Transport delegate, Duration proxyHeaderTimeout, int maxOpenSockets) {
    super(delegate);
    this.proxyHeaderTimeoutMillis = proxyHeaderTimeout.toMillis();
    this.ceiling = new AcceptCeiling(maxOpenSockets);
  }

  /**
   * Netty's io_uring accepts with one multishot request by default, which goes on accepting after the listening
   * channel's auto-read is turned off: the {@link AcceptCeiling} could not hold, and a flood ran the node out of
   * descriptors ({@code OverloadIT}). Asks for one accept at a time, unless the JVM was told otherwise. Netty reads the
   * property once, when its io_uring classes initialise: call this before any transport is looked at.
   */
  public static void oneAcceptAtATime() {
    if (System.getProperty(ACCEPT_MULTISHOT) == null) {
      System.setProperty(ACCEPT_MULTISHOT, "false");
    }
  }

  /** The transport Vert.x builds with for {@code options}: native when preferred and available, else NIO. */
  public static Transport chosenBy(VertxOptions options) {
    return DelegatingTransport.chosenBy(options);
  }

  /**
   * For {@code VertxBuilder.withTransport}: {@code chosen} (available), with the changes above; a PROXY-protocol server
   * closes a connection whose header is not complete {@code proxyHeaderTimeout} after accept, and the servers together
   * hold at most {@code maxOpenSockets} accepted sockets at once.
   */
  public static Transport around(Transport chosen, Duration proxyHeaderTimeout, int maxOpenSockets) {
    return new ServerTransport(chosen.implementation(), proxyHeaderTimeout, maxOpenSockets).named(chosen);
  }

  @Override
  public void configure(TcpConfig options, boolean domainSocket, ServerBootstrap bootstrap) {
    super.configure(options, domainSocket, bootstrap);
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
      Channel socket = (Channel) accepted;
      socket.pipeline().addFirst(new ProxyHeaderDeadline(proxyHeaderTimeoutMillis));
      ceiling.accepted(ctx.channel(), socket);
      ctx.fireChannelRead(accepted);
    }
  }
}
