package io.vertxecho.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.impl.MessageConsumerImpl;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.net.NetClientInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.StreamChannelBase;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.net.impl.VertxHandler;
import io.vertx.core.net.impl.tcp.NetServerBuilder;
import io.vertx.core.net.impl.tcp.NetSocketImpl;
import io.vertx.core.streams.impl.InboundBuffer;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import io.vertx.launcher.application.impl.VertxApplicationCommand;
import picocli.CommandLine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Every use of Vert.x implementation classes in this project, for what Vert.x 5 has no public API for.
 * A Vert.x upgrade may break them: {@code VertxInternalsTest}, the half-close tests and {@code LauncherOptionsTest} fail
 * if it does.
 * <ul>
 *   <li><b>Half-close</b>: Vert.x does not enable Netty's half-closure, so a client's FIN would close the channel
 *   and lose what is still to be echoed; and a {@code NetSocket} cannot shut down only its output.</li>
 *   <li><b>Backpressure</b>: {@code writeQueueFull()} turns true only once 16 writes wait behind Netty's buffer, and
 *   a callback per write to count what is unwritten costs a promise, a listener and a task per echo.</li>
 *   <li><b>Idle memory</b>: a {@code NetSocket} keeps a copy of each address it was asked for, with its host string,
 *   and a server's socket metrics ask for the remote one; a {@code NetServer} cannot be left out of the metrics.</li>
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

  /**
   * {@code StreamChannelBase.handleMessage(Object)}, protected since Vert.x 5.1: it queues a message behind those
   * already read ({@link #endStream}).
   */
  private static final MethodHandle HANDLE_MESSAGE = handleMessage();

  private VertxInternals() {
  }

  private static MethodHandle handleMessage() {
    try {
      return MethodHandles.privateLookupIn(StreamChannelBase.class, MethodHandles.lookup())
        .findVirtual(StreamChannelBase.class, "handleMessage", MethodType.methodType(void.class, Object.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * A NetServer whose connections Vert.x's metrics SPI sees under {@code protocol} ({@code createTcpServerMetrics}
   * gets it), so a metrics factory can tell them from other servers' ({@code QuietMetrics} leaves them out).
   * Waits for: a public way to name a NetServer's protocol for its metrics, or to leave a server out of them.
   */
  public static NetServer createNetServer(Vertx vertx, NetServerOptions options, String protocol) {
    return new NetServerBuilder((VertxInternal) vertx, options.copy()).protocol(protocol).build();
  }

  /**
   * Puts {@code hooks}, the served connection, in its socket's pipeline just before Vert.x's handler, and sets the
   * channel's write-buffer water marks to {@code low} and {@code high} bytes unwritten ({@link #writable} turns false
   * above {@code high}; Netty counts 96 bytes per buffer besides its bytes; {@code hooks} hears when it falls back to
   * {@code low}).
   * Waits for: a half-close option on {@code NetServerOptions} whose end handler runs after the data before the FIN;
   * a {@code NetSocket} signal of its unwritten bytes that does not let 16 more writes queue first.
   *
   * @throws IllegalStateException if Vert.x hands over a socket class this code does not know, rather than
   *     silently swallowing the client's FIN
   */
  public static void serve(NetSocket socket, ChannelHooks hooks, int low, int high) {
    if (!(socket instanceof NetSocketImpl)) {
      throw new IllegalStateException("half-close needs " + NetSocketImpl.class.getName() + ", got " + socket.getClass().getName());
    }
    ChannelHandlerContext context = ((NetSocketInternal) socket).channelHandlerContext();
    WriteBufferWaterMark marks = context.channel().config().getWriteBufferWaterMark();
    if (marks.low() != low || marks.high() != high) {
      context.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(low, high));
    }
    context.pipeline().addBefore("handler", "echo", hooks);
  }

  /**
   * Ends the Vert.x socket of the pipeline {@code hooks} is in, in order: {@code StreamChannelBase.handleMessage(Object)},
   * protected since Vert.x 5.1, queues a message behind those already read, and {@code END_SENTINEL} ends the stream
   * there ({@code handleEnded}, also protected, resumes a paused socket first).
   */
  static void endStream(ChannelHandlerContext hooks) {
    if (hooks.pipeline().get("handler") instanceof VertxHandler<?> vertx && vertx.getConnection() instanceof NetSocketImpl socket) {
      try {
        HANDLE_MESSAGE.invoke(socket, InboundBuffer.END_SENTINEL);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }
  }

  /**
   * Whether the socket's channel is still open. A client's FIN that Netty acts on at once has closed it before the
   * socket's end handler runs, and a {@code close()} then only costs a promise and its listeners.
   * Waits for: a {@code NetSocket} that tells whether it is closed.
   */
  public static boolean isOpen(NetSocket socket) {
    return ((NetSocketInternal) socket).channelHandlerContext().channel().isOpen();
  }

  /**
   * Writes {@code data} to the socket's channel as {@code NetSocket.write} does when it may write at once (on the
   * socket's event loop, nothing queued before it), without the future it returns, the record of the write and the
   * channel promise it makes for each (85 of the 125 bytes it allocated per echo), and flushes unless {@code flush} is
   * false: then the read in progress flushes when it completes ({@link ChannelHooks}). {@code consumed}: {@code data}
   * is a read handed over whole and nothing looks at it again: the channel takes it over (and releases it once written).
   * Otherwise the channel gets a retained slice of it: the buffer keeps its indexes (a shared one, such as a greeting,
   * is written by many channels at once), and a read's pooled memory stays the channel's until the slice is written,
   * whenever the read itself is released. A socket written to this way must not also be written with
   * {@code NetSocket.write}, whose writes Vert.x may queue while this one would overtake them.
   * Waits for: a {@code NetSocket} write that returns no future (Vert.x 4 had {@code write(Buffer, Handler)}).
   */
  public static void write(NetSocket socket, Buffer data, boolean flush, boolean consumed) {
    ByteBuf bytes = ((BufferInternal) data).unwrap();
    ((VertxConnection) socket).unsafeWrite(consumed ? bytes : bytes.retainedSlice(), flush);
  }

  /**
   * Lets go of a read {@link ChannelHooks} handed over: its pooled memory returns to the channel's allocator once no
   * retained slice of it is left to write. (For Vert.x's own heap buffers, a release does nothing.)
   */
  public static void release(Buffer data) {
    ((BufferInternal) data).unwrap().release();
  }

  /** Keeps a read {@link ChannelHooks} handed over alive past its {@link #release}: for a write that takes it whole. */
  public static void retain(Buffer data) {
    ((BufferInternal) data).unwrap().retain();
  }

  /** Whether the socket's channel takes writes without going over its high-water mark ({@link #serve}). */
  public static boolean writable(NetSocket socket) {
    return ((NetSocketInternal) socket).channelHandlerContext().channel().isWritable();
  }

  /**
   * The socket's local address, read from its channel each time: {@code NetSocket.localAddress()} keeps a Vert.x copy
   * of it, with its host string, in every socket (about 90 bytes each idle connection holds). Behind the PROXY
   * protocol, the header's destination, as {@code localAddress()} reports it (an unresolved address of its host and
   * port); null if the channel has none.
   * Waits for: a {@code NetSocket} local address that costs an idle socket nothing.
   */
  public static java.net.SocketAddress localAddress(NetSocket socket) {
    Channel channel = ((NetSocketInternal) socket).channelHandlerContext().channel();
    return address(channel, ConnectionBase.LOCAL_ADDRESS_OVERRIDE, channel.localAddress());
  }

  /** The same for the remote address: behind the PROXY protocol, the header's source (the real client). */
  public static java.net.SocketAddress remoteAddress(NetSocket socket) {
    Channel channel = ((NetSocketInternal) socket).channelHandlerContext().channel();
    return address(channel, ConnectionBase.REMOTE_ADDRESS_OVERRIDE, channel.remoteAddress());
  }

  private static java.net.SocketAddress address(Channel channel, AttributeKey<SocketAddress> override, java.net.SocketAddress own) {
    SocketAddress proxied = channel.hasAttr(override) ? channel.attr(override).get() : null;
    return proxied != null ? InetSocketAddress.createUnresolved(proxied.host(), proxied.port()) : own;
  }

  /**
   * {@code bytes} in a buffer of direct memory, to be written again and again: a socket's transport writes a heap
   * buffer by copying it into direct memory first, a direct one as it is. The memory is a JDK direct buffer's, freed
   * by the garbage collector once the buffer is unreachable (a new config makes a new one); Netty's own direct
   * buffers may be freed only by a release, which a buffer written again and again must never get.
   * Waits for: a public way to make a {@code Buffer} of direct memory ({@code Buffer.buffer(ByteBuf)} left the API in
   * Vert.x 5).
   */
  public static Buffer directBuffer(byte[] bytes) {
    ByteBuffer memory = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    return BufferInternal.buffer(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(memory)));
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
