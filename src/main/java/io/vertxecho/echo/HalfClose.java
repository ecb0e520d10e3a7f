package io.vertxecho.echo;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketImpl;
import io.vertx.core.streams.impl.InboundBuffer;

/**
 * Lets a client half-close: Vert.x does not enable Netty's half-closure, so a client's FIN would close the
 * channel and lose what is still to be echoed. With it enabled, the FIN becomes an end-of-stream queued
 * behind the data already read, so the socket's end handler runs after every earlier byte was handled,
 * even while the socket is paused, and the server can still write before closing.
 */
final class HalfClose {

  private HalfClose() {
  }

  static void enable(NetSocket socket) {
    NetSocketInternal internal = (NetSocketInternal) socket;
    ChannelHandlerContext context = internal.channelHandlerContext();
    context.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    context.pipeline().addBefore("handler", "half-close", new ChannelInboundHandlerAdapter() {
      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == ChannelInputShutdownEvent.INSTANCE && socket instanceof NetSocketImpl impl) {
          impl.handleMessage(InboundBuffer.END_SENTINEL);
        }
        ctx.fireUserEventTriggered(event);
      }
    });
  }
}
