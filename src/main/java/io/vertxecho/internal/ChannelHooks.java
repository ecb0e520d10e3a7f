package io.vertxecho.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * A served connection as a handler in its channel's pipeline, just before Vert.x's ({@link VertxInternals#serve}).
 * The connection is the handler itself rather than a separate object per channel: an idle connection holds one object
 * fewer. Confined to the channel's event loop. It does three things:
 * <ul>
 *   <li><b>Reads without a copy.</b> The bytes the channel reads go to {@link #handle} as they are, not through
 *   Vert.x, which copies each read into a new heap buffer and queues it (about 160 bytes of garbage per echo, and the
 *   collections they cost). A buffer handed over so wraps the channel's pooled memory, which the connection owns:
 *   it writes it whole ({@link VertxInternals#write} with {@code consumed}) or releases it ({@link
 *   VertxInternals#release}) before {@code handle} returns, keeping nothing of it. Bytes Vert.x read before this handler
 *   was in the pipeline still come through the socket's handler, in Vert.x's copies, for which a release does
 *   nothing. The reads' echoes are flushed here when the read completes.</li>
 *   <li><b>Half-close when something is left to answer.</b> The channel allows half-closure from the moment a read is
 *   handed over (its echoes are not flushed yet, and io_uring acts on a FIN read with it before the read completes);
 *   once the read's echoes were flushed, only while they are not all written or the connection {@linkplain #holdsInput
 *   holds input}: Netty decides how a FIN read with them is handled right after. Allowed, the FIN becomes an end-of-stream queued
 *   behind the data already read, so the socket's end handler runs after every earlier byte was handled, even while the
 *   socket is paused, and the server can still write before closing. Otherwise the FIN closes the channel at once, as
 *   in any Vert.x server (the end handler still runs first): nothing is lost, and it saves a {@code shutdown(SHUT_RD)}
 *   and the end's trip through Vert.x's inbound queue.</li>
 *   <li><b>Backpressure without a callback per write.</b> {@link #writable} runs when the channel's unwritten bytes
 *   fall back to its low-water mark.</li>
 * </ul>
 */
public abstract class ChannelHooks extends ChannelInboundHandlerAdapter implements Handler<Buffer> {

  /** The channel's half-closure as this handler last set it (Netty's default: off). */
  private boolean halfClosure;
  /** Whether a read is being handled: its echoes are flushed when it completes ({@link #reading}). */
  private boolean reading;

  /**
   * Whether the connection still has to answer a FIN from the client with more than a close, such as an unfinished
   * line to echo (unwritten echoes are seen by the channel itself). Asked after each read's echoes were flushed, just
   * before the channel decides how a FIN read with them is handled.
   */
  public abstract boolean holdsInput();

  /** The channel's unwritten bytes fell to the low-water mark after it had been unwritable: reading may resume. */
  public abstract void writable();

  /**
   * Whether the connection's code runs within a read of the channel, which Vert.x's handler flushes when the read
   * completes ({@link VertxInternals#write} with {@code flush} false); outside one (a task, a timer, a resumed socket
   * delivering what it had queued), a write must flush itself.
   */
  protected final boolean reading() {
    return reading;
  }

  /** Bytes go to {@link #handle}, anything else (an event Vert.x understands) on to Vert.x. */
  @Override
  public final void channelRead(ChannelHandlerContext ctx, Object message) {
    reading = true;
    if (message instanceof ByteBuf bytes) {
      handle(BufferInternal.buffer(bytes));
      // its echoes are not flushed before the read completes, and io_uring acts on a FIN read with it before that
      if (!halfClosure) {
        halfClosure = true;
        ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
      }
    } else {
      ctx.fireChannelRead(message);
    }
  }

  /** The reads' echoes are flushed; then, before a FIN read with them is acted on, half-closure is set. */
  @Override
  public final void channelReadComplete(ChannelHandlerContext ctx) {
    if (reading) {
      ctx.flush();
    }
    ctx.fireChannelReadComplete();
    reading = false;
    ChannelOutboundBuffer unwritten = ctx.channel().unsafe().outboundBuffer();
    boolean wanted = holdsInput() || unwritten != null && unwritten.totalPendingWriteBytes() > 0;
    if (wanted != halfClosure) {
      halfClosure = wanted;
      ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, wanted);
    }
  }

  /**
   * The channel may turn writable while Vert.x flushes at the end of a read, after which it does not flush again:
   * what {@link #writable} writes (a resumed socket delivering what it had queued) flushes itself.
   */
  @Override
  public final void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ctx.fireChannelWritabilityChanged();
    if (ctx.channel().isWritable()) {
      boolean inRead = reading;
      reading = false;
      writable();
      reading = inRead;
    }
  }

  /** A FIN while half-closure was allowed: the end of the stream, queued behind what was read before it. */
  @Override
  public final void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event == ChannelInputShutdownEvent.INSTANCE) {
      VertxInternals.endStream(ctx);
    }
    ctx.fireUserEventTriggered(event);
  }
}
