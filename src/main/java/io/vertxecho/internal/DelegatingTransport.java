package io.vertxecho.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.VertxOptions;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.TcpConfig;
import io.vertx.core.transport.Transport;

import java.net.SocketAddress;
import java.util.concurrent.ThreadFactory;

/**
 * The transport Vert.x would pick, passed through: {@link ServerTransport} and {@link ClientTransport} override only
 * what they change. Vert.x's transport SPI is the one public place that sees a channel before Vert.x configures it.
 */
abstract class DelegatingTransport implements io.vertx.core.spi.transport.Transport {

  private final io.vertx.core.spi.transport.Transport delegate;

  DelegatingTransport(io.vertx.core.spi.transport.Transport delegate) {
    this.delegate = delegate;
  }

  /** The transport Vert.x builds with for {@code options}: native when preferred and available, else NIO. */
  static Transport chosenBy(VertxOptions options) {
    Transport preferred = options.getPreferNativeTransport() ? Transport.nativeTransport() : null;
    return preferred != null && preferred.available() ? preferred : Transport.NIO;
  }

  /** This implementation as {@code VertxBuilder.withTransport} takes it, under the name of {@code chosen}. */
  Transport named(Transport chosen) {
    DelegatingTransport implementation = this;
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
  }

  @Override
  public void configure(TcpConfig options, boolean domainSocket, Bootstrap bootstrap) {
    delegate.configure(options, domainSocket, bootstrap);
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
  public void configure(DatagramChannel channel, DatagramSocketOptions options) {
    delegate.configure(channel, options);
  }
}
