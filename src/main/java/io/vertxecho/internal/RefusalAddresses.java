package io.vertxecho.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Turns the failures Vert.x reports without their connection into {@link Refusal}s, which name it: a failed TLS
 * handshake, and with the PROXY protocol a connection that does not start with a PROXY header or closes before a
 * complete one (which Vert.x would not report at all). It sits right behind the TLS handler or the PROXY decoder, before
 * the Vert.x handler that passes their outcome to the {@code NetServer}'s exception handler, and leaves once the
 * handshake or the header is done ({@link #place}).
 * Waits for: a {@code NetServer} exception handler that is told the connection of a failure, and hears of a
 * connection closed before its PROXY header.
 */
final class RefusalAddresses extends ChannelInboundHandlerAdapter {

  private RefusalAddresses() {
  }

  /**
   * Once the channel is active (Vert.x has added its handlers): puts a {@link RefusalAddresses} where one is needed,
   * behind the PROXY decoder, else the TLS handler; a plain connection gets none. Called by {@link ProxyHeaderDeadline},
   * the one handler {@link ServerTransport} puts in every accepted connection's pipeline.
   */
  static void place(ChannelPipeline pipeline) {
    ChannelHandlerContext proxy = pipeline.context(HAProxyMessageDecoder.class);
    ChannelHandlerContext failing = proxy != null ? proxy : pipeline.context(SslHandler.class);
    if (failing != null) {
      pipeline.addAfter(failing.name(), null, new RefusalAddresses());
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof SslHandshakeCompletionEvent handshake) {
      ctx.pipeline().remove(this);
      if (!handshake.isSuccess()) {
        ctx.fireUserEventTriggered(new SslHandshakeCompletionEvent(refusal(ctx, handshake.cause())));
        return;
      }
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.fireExceptionCaught(cause instanceof Refusal ? cause : refusal(ctx, cause));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    boolean header = message instanceof HAProxyMessage;
    ctx.fireChannelRead(message);
    if (header) {
      ctx.pipeline().remove(this);
    }
  }

  /** A close with the PROXY decoder still waiting; a failure reported before it wins (Vert.x takes the first). */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ctx.fireChannelInactive();
    if (ctx.pipeline().get(HAProxyMessageDecoder.class) != null) {
      ctx.fireExceptionCaught(new Refusal("closed before a complete PROXY header", null, ctx.channel()));
    }
  }

  private static Refusal refusal(ChannelHandlerContext ctx, Throwable cause) {
    return new Refusal(String.valueOf(cause.getMessage()), cause, ctx.channel());
  }
}
