package io.vertxecho.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.TcpConfig;

/**
 * The transport of the bundled client and bench, for a server-first protocol: their connections start with auto-read
 * off and a {@link HandOverGate} first in the pipeline, and {@link VertxInternals#connect} opens both once the socket
 * has its handlers, so a server's greeting cannot arrive before its handler (since Vert.x 5.1 a connect future
 * completes through a task queued on the event loop, after reads the same wake-up may already have delivered, and a
 * connection the server closed at once may even be closed by then).
 * Waits for: a {@code NetClient.connect} that takes the socket's handlers before its first read.
 */
public final class ClientTransport extends DelegatingTransport {

  private ClientTransport(io.vertx.core.spi.transport.Transport delegate) {
    super(delegate);
  }

  /**
   * A Vert.x for clients that connect through {@link VertxInternals#connect}, on the transport Vert.x would pick for
   * {@code options}: any other client of this Vert.x reads nothing.
   */
  public static Vertx vertx(VertxOptions options) {
    var chosen = chosenBy(options);
    return Vertx.builder().with(options).withTransport(new ClientTransport(chosen.implementation()).named(chosen)).build();
  }

  @Override
  public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
    ChannelFactory<? extends Channel> channels = super.channelFactory(domainSocket);
    return () -> {
      Channel channel = channels.newChannel();
      channel.pipeline().addFirst(new HandOverGate());
      return channel;
    };
  }

  @Override
  public void configure(TcpConfig options, boolean domainSocket, Bootstrap bootstrap) {
    super.configure(options, domainSocket, bootstrap);
    bootstrap.option(ChannelOption.AUTO_READ, false);
  }
}
