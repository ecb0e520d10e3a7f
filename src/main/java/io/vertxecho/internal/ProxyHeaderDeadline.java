package io.vertxecho.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * With {@code proxyProtocol}: closes a connection whose PROXY header is not complete {@code timeoutMillis} after accept,
 * and says so. Vert.x 5's own header timeout is an idle timeout (a byte a second defeats it) that closes the
 * connection below the application, so nothing counts it. This handler goes first in every accepted channel's pipeline
 * ({@link ServerTransport}); once the channel is active, it puts {@link RefusalAddresses} where a TLS handshake or a
 * PROXY header can fail, and leaves at once if Vert.x put no PROXY header decoder there (a server without the PROXY
 * protocol): the one handler every accepted connection gets and loses. On expiry it fires a {@link Timeout} down the pipeline: Vert.x's PROXY handler
 * fails its header promise with it, which reaches the {@code NetServer}'s exception handler on the instance's
 * context. It leaves the pipeline as soon as Netty's decoder has read the header.
 * Waits for: {@code NetServerOptions.setProxyProtocolTimeout} as a deadline whose expiry reaches the exception handler.
 */
public final class ProxyHeaderDeadline extends ChannelInboundHandlerAdapter {

  /** The connection sent no complete PROXY header in time; {@link #remote()} is the proxy's address, or the client's. */
  public static final class Timeout extends Refusal {
    Timeout(Channel channel, long timeoutMillis) {
      super("no PROXY header within " + timeoutMillis + " ms", null, channel);
    }
  }

  private final long timeoutMillis;
  private ScheduledFuture<?> deadline;

  ProxyHeaderDeadline(long timeoutMillis) {
    this.timeoutMillis = timeoutMillis;
  }

  /** Vert.x has added its handlers: a {@link RefusalAddresses} goes where one is needed, and the deadline starts. */
  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    RefusalAddresses.place(ctx.pipeline());
    boolean proxied = !headerRead(ctx);
    if (proxied) {
      deadline = ctx.executor().schedule(() -> expire(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
    }
    ctx.fireChannelActive();
    if (!proxied) {
      ctx.pipeline().remove(this);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ctx.fireChannelRead(msg);
    if (headerRead(ctx)) {
      cancel();
      ctx.pipeline().remove(this);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  private void expire(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive() && !headerRead(ctx)) {
      ctx.fireExceptionCaught(new Timeout(ctx.channel(), timeoutMillis));
      ctx.close();
    }
  }

  /** Netty's decoder leaves the pipeline once it has decoded a header (or failed, closing the channel); without the PROXY protocol it is never there. */
  private static boolean headerRead(ChannelHandlerContext ctx) {
    return ctx.pipeline().get(HAProxyMessageDecoder.class) == null;
  }

  private void cancel() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }
}
