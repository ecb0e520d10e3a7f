package io.vertxecho.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandler;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.function.Consumer;

/**
 * First in the pipeline of a client channel of {@link ClientTransport}: from the connection on, holds back
 * everything inbound (bytes, end of input, errors) until {@link VertxInternals#connect} has given the socket its
 * handlers, then passes it on in order and leaves. Auto-read off stops ordinary reads until then, but not all: with
 * epoll, a peer's FIN or reset makes Netty read at once whatever the setting, and then close the channel. A server
 * that answers and closes at once (the echo server's {@code ERR server full}) had its line, its end and the close
 * dropped by the socket Vert.x had made, which had no handler yet, and the client waited for nothing. So until it
 * opens, the gate also keeps the channel open at the end of input (half-closure on): the end is held like the bytes,
 * and closes the channel once they are delivered, as Netty would have done.
 * <p>
 * A TLS channel passes through: its handshake runs behind the gate, and Vert.x hands it over only once that is done.
 * Confined to the channel's event loop.
 */
final class HandOverGate extends ChannelInboundHandlerAdapter {

  private final Queue<Consumer<ChannelHandlerContext>> held = new ArrayDeque<>();
  private ChannelHandlerContext context;
  private boolean holding;
  private boolean halfClosure;

  /** Passes on what was held and leaves the pipeline; nothing to do on a channel without a gate. */
  static void open(Channel channel) {
    HandOverGate gate = channel.pipeline().get(HandOverGate.class);
    if (gate != null) {
      gate.open();
    }
  }

  private void open() {
    if (holding) {
      holding = false;
      context.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, halfClosure);
    }
    context.pipeline().remove(this);
    for (Consumer<ChannelHandlerContext> event = held.poll(); event != null; event = held.poll()) {
      event.accept(context);
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (ctx.pipeline().get(SslHandler.class) == null) {
      holding = true;
      halfClosure = ctx.channel().config().getOption(ChannelOption.ALLOW_HALF_CLOSURE);
      ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    hold(ctx, next -> next.fireChannelRead(msg));
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    hold(ctx, ChannelHandlerContext::fireChannelReadComplete);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (holding && event instanceof ChannelInputShutdownEvent && !halfClosure) {
      held.add(ChannelHandlerContext::close);
    } else {
      hold(ctx, next -> next.fireUserEventTriggered(event));
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    hold(ctx, next -> next.fireExceptionCaught(cause));
  }

  private void hold(ChannelHandlerContext ctx, Consumer<ChannelHandlerContext> event) {
    if (holding) {
      held.add(event);
    } else {
      event.accept(ctx);
    }
  }
}
