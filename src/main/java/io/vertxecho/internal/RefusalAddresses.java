package io.vertxecho.internal;

import io.netty.channel.ChannelHandler;
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
 * handshake or the header is done. {@link ServerTransport} puts a {@link #placer()} first in every accepted
 * connection's pipeline to put it there.
 * Waits for: a {@code NetServer} exception handler that is told the connection of a failure, and hears of a
 * connection closed before its PROXY header.
 */
final class RefusalAddresses extends ChannelInboundHandlerAdapter {

  private RefusalAddresses() {
  }

  /** Once the channel is active (Vert.x has added its handlers): a {@link RefusalAddresses} where one is needed. */
  static ChannelHandler placer() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelActive(ChannelHandlerContext ctx) {
        ChannelPipeline pipeline = ctx.pipeline();
        ChannelHandlerContext proxy = pipeline.context(HAProxyMessageDecoder.class);
        ChannelHandlerContext tls = pipeline.context(SslHandler.class);
        ChannelHandlerContext failing = proxy != null ? proxy : tls;
        if (failing != null) {
          pipeline.addAfter(failing.name(), null, new RefusalAddresses());
        }
        pipeline.remove(this);
        ctx.fireChannelActive();
      }
    };
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
