package io.vertxecho.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.impl.MessageConsumerImpl;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.net.NetClientInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.StreamChannelBase;
import io.vertx.core.net.impl.VertxHandler;
import io.vertx.core.net.impl.tcp.NetSocketImpl;
import io.vertx.core.streams.impl.InboundBuffer;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import io.vertx.launcher.application.impl.VertxApplicationCommand;
import picocli.CommandLine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Every use of Vert.x implementation classes in this project, for what Vert.x 5 has no public API for.
 * A Vert.x upgrade may break them: {@code VertxInternalsTest}, the half-close tests and {@code LauncherOptionsTest} fail
 * if it does.
 * <ul>
 *   <li><b>Half-close</b>: Vert.x does not enable Netty's half-closure, so a client's FIN would close the channel
 *   and lose what is still to be echoed; and a {@code NetSocket} cannot shut down only its output.</li>
 *   <li><b>Server-first protocols</b>: {@code NetClient.connect} completes its future through a task queued on the
 *   socket's event loop, and a byte read before that task runs finds no handler and is dropped (on Vert.x 5.0 about
 *   one connect in 1,500 lost the greeting; on 5.2, one in a few hundred). The client's connections start with
 *   auto-read off ({@link ClientTransport}), and {@link #connect} turns it on once the socket has its
 *   handler.</li>
 *   <li><b>Unregistering from the cluster</b>: a consumer of peers' messages that unregisters warns for each message
 *   already on its way, and there always are some.</li>
 *   <li><b>The launcher's command line</b>: its hooks get {@code null} both when {@code -conf} (or {@code -options},
 *   {@code -deployment-options}) was not given and when the launcher could not read it. Parsing the arguments with
 *   the launcher's own picocli command, as the launcher does, tells the two apart.</li>
 * </ul>
 */
public final class VertxInternals {

  private VertxInternals() {
  }

  /**
   * Lets the client half-close: the FIN becomes an end-of-stream queued behind the data already read, so the
   * socket's end handler runs after every earlier byte was handled, even while the socket is paused, and the
   * server can still write before closing.
   * Waits for: a half-close option on {@code NetServerOptions} whose end handler runs after the data before the FIN.
   *
   * @throws IllegalStateException if Vert.x hands over a socket class this code does not know, rather than
   *     silently swallowing the client's FIN
   */
  public static void enableHalfClose(NetSocket socket) {
    if (!(socket instanceof NetSocketImpl)) {
      throw new IllegalStateException("half-close needs " + NetSocketImpl.class.getName() + ", got " + socket.getClass().getName());
    }
    ChannelHandlerContext context = ((NetSocketInternal) socket).channelHandlerContext();
    context.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    context.pipeline().addBefore("handler", "half-close", HalfClose.INSTANCE);
  }

  /** One instance for every connection: it finds the connection's socket in the pipeline, so it holds no state. */
  @ChannelHandler.Sharable
  private static final class HalfClose extends ChannelInboundHandlerAdapter {

    static final HalfClose INSTANCE = new HalfClose();

    /**
     * {@code StreamChannelBase.handleMessage(Object)}, protected since Vert.x 5.1: it queues a message behind those
     * already read, and {@code END_SENTINEL} ends the stream in that order ({@code handleEnded}, also protected, resumes
     * a paused socket first).
     */
    private static final MethodHandle HANDLE_MESSAGE = handleMessage();

    private static MethodHandle handleMessage() {
      try {
        return MethodHandles.privateLookupIn(StreamChannelBase.class, MethodHandles.lookup())
          .findVirtual(StreamChannelBase.class, "handleMessage", MethodType.methodType(void.class, Object.class));
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
      if (event == ChannelInputShutdownEvent.INSTANCE
        && ctx.pipeline().get("handler") instanceof VertxHandler<?> vertx
        && vertx.getConnection() instanceof NetSocketImpl socket) {
        try {
          HANDLE_MESSAGE.invoke(socket, InboundBuffer.END_SENTINEL);
        } catch (RuntimeException | Error e) {
          throw e;
        } catch (Throwable t) {
          throw new IllegalStateException(t);
        }
      }
      ctx.fireUserEventTriggered(event);
    }
  }

  /**
   * Stops reading from the socket's channel at once. {@code NetSocket.pause()} only stops delivering: Vert.x keeps
   * reading until 8 reads are pending, and each pending read is a pooled direct buffer of up to 64 KiB, pinned while
   * the socket stays paused (about 1 MiB per client that sends without reading; 40 such hostile clients at a time
   * used up a node's 512 MiB of direct memory). Undo with {@link #resumeReading} before {@code resume()}.
   * Waits for: a {@code NetSocket.pause()} that stops reading from the channel.
   */
  public static void stopReading(NetSocket socket) {
    ((NetSocketInternal) socket).channelHandlerContext().channel().config().setAutoRead(false);
  }

  /** Reads from the socket's channel again, after {@link #stopReading}. */
  public static void resumeReading(NetSocket socket) {
    ((NetSocketInternal) socket).channelHandlerContext().channel().config().setAutoRead(true);
  }

  /**
   * Sends a FIN but keeps reading (the bundled client at the end of its input); closes if the channel cannot.
   * Waits for: {@code NetSocket.shutdownOutput()}.
   */
  public static void shutdownOutput(NetSocket socket) {
    if (((NetSocketInternal) socket).channelHandlerContext().channel() instanceof DuplexChannel duplex) {
      duplex.shutdownOutput();
    } else {
      socket.close();
    }
  }

  /**
   * Ends the output of a socket whose writes are done and keeps reading its input: a TLS socket's close_notify first,
   * then a FIN (closes if the channel cannot half-close). A refused client is told why this way and then read to its
   * end, not closed under its unread bytes: a close with unread input sends a reset, which can overtake the line.
   * Waits for: {@code NetSocket.shutdownOutput()}, sending a TLS socket's close_notify first.
   */
  public static void endOutput(NetSocket socket) {
    Channel channel = ((NetSocketInternal) socket).channelHandlerContext().channel();
    SslHandler tls = channel.pipeline().get(SslHandler.class);
    if (tls == null) {
      shutdownOutput(socket);
    } else {
      tls.closeOutbound().addListener(sent -> shutdownOutput(socket));
    }
  }

  /**
   * Connects and runs {@code ready} on the new socket before any byte it receives is delivered, so a handler set
   * there sees everything the server sends, the greeting included. {@code vertx} must come from
   * {@link ClientTransport#vertx}: its connections deliver nothing until {@code ready} has run; with any other
   * Vert.x the returned future fails. The returned future completes after {@code ready} ran. Keep {@code client}
   * reachable while its sockets are in use: Vert.x closes a NetClient that has become garbage, with its sockets.
   * Waits for: a {@code NetClient.connect} that takes the socket's handlers before its first read.
   */
  public static Future<NetSocket> connect(Vertx vertx, NetClient client, int port, String host, Handler<NetSocket> ready) {
    return connect(vertx, client, new ConnectOptions().setPort(port).setHost(host), ready);
  }

  /**
   * The same with the target in {@code target}; set its {@code ssl} for a TLS client (this internal path does not
   * take it from the client's options, as the public {@code connect} does).
   */
  public static Future<NetSocket> connect(Vertx vertx, NetClient client, ConnectOptions target, Handler<NetSocket> ready) {
    ContextInternal context = ((VertxInternal) vertx).getOrCreateContext();
    Promise<NetSocket> connected = Promise.promise();
    Promise<NetSocket> result = context.promise();
    connected.future().onComplete(outcome -> {
      if (outcome.failed()) {
        result.fail(outcome.cause());
        return;
      }
      NetSocket socket = outcome.result();
      if (((NetSocketInternal) socket).channelHandlerContext().channel().config().isAutoRead()) {
        socket.close();
        result.fail(new IllegalStateException("connect needs a Vert.x built by ClientTransport.vertx"));
        return;
      }
      ready.handle(socket);
      HandOverGate.open(((NetSocketInternal) socket).channelHandlerContext().channel());
      resumeReading(socket);
      result.complete(socket);
    });
    ((NetClientInternal) client).connectInternal(target, connected, context);
    return result.future();
  }

  /**
   * Lets {@code consumer} drop in silence the messages still on their way to it when it unregisters. A clustered
   * consumer whose peers keep publishing always has some: Vert.x closes the consumer's queue at once, while the peers
   * learn of the unsubscription only later, and it logs a warning ("Discarding message since the consumer is not
   * registered") for each message already handed to it.
   * Waits for: a {@code MessageConsumer} option (or an unregistration that drains) for messages in flight.
   */
  public static <T> void discardQuietly(MessageConsumer<T> consumer) {
    if (consumer instanceof MessageConsumerImpl<T> implementation) {
      implementation.discardHandler(message -> { });
    }
  }

  /**
   * The launcher's arguments as the launcher parses them (the same picocli command, options case-insensitive).
   *
   * Waits for: launcher hooks that tell an option not given from one the launcher could not read.
   *
   * @throws CommandLine.ParameterException when they do not parse; the launcher then reports it itself
   */
  public static CommandLine.ParseResult parseLauncherArguments(VertxApplication application, String[] args) {
    return new CommandLine(new VertxApplicationCommand(application, VertxApplicationHooks.DEFAULT, null))
      .setOptionsCaseInsensitive(true)
      .parseArgs(args);
  }
}
