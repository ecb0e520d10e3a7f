package io.vertxecho.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.echo.ConnectionGate;
import io.vertxecho.echo.LingeringClose;
import io.vertxecho.echo.TlsPort;
import io.vertxecho.events.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import static io.vertxecho.config.EchoConfig.BRIDGE_TCP_PORT;
import static io.vertxecho.config.EchoConfig.HOST;

/**
 * The event bus over plain TCP ({@code bridge.tcp.port}): Vert.x's TCP event-bus bridge (frames of a 4-byte
 * big-endian length then JSON) with the {@code /eventbus} bridge's permissions ({@link BridgePermissions}), TLS with
 * the echo port's certificate settings when {@code bridge.tcp.tls} is set.
 * <p>
 * The bridge library owns its server and sockets, so it is handed a view of this Vert.x that wraps them: each socket
 * takes a place in the node's connection budget ({@link ConnectionGate}, shared with the echo port) for as long as it
 * is open, and is refused with an {@code err} frame when there is none; each socket's unwritten frames are bounded
 * ({@link #MAX_UNWRITTEN_BYTES}), past which a client that does not read is disconnected; and a client's register
 * for {@code echo.connections} reaches the rate-limited relay ({@link ConnectionEventRelay}), whose messages it
 * receives under that name, as on the WebSocket bridge. Confined to its context: the server, its sockets and the
 * consumers the bridge registers for them all run on it.
 */
public final class TcpBridgeVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(TcpBridgeVerticle.class);
  /** Frames queued for a client and not yet taken by the kernel, past which the client is disconnected. */
  public static final int MAX_UNWRITTEN_BYTES = 256 * 1024;

  private final ConnectionGate gate;
  private EchoConfig config;
  private NetServer server;
  private TcpEventBusBridge bridge;

  public TcpBridgeVerticle(EchoConfig config, ConnectionGate gate) {
    this.config = config;
    this.gate = gate;
  }

  @Override
  public Future<?> start() {
    NetServerOptions options = new NetServerOptions().setHost(config.get(HOST)).setTcpNoDelay(true);
    if (config.bridgeTls()) {
      TlsPort.secured(options, config.tls());
    }
    bridge = TcpEventBusBridge.create(guarded(vertx), BridgePermissions.permittedAsNamed(new BridgeOptions()), options,
      BridgePermissions::police);
    return vertx.eventBus().<JsonObject>localConsumer(Events.CONFIG, change -> config = EchoConfig.fromJson(change.body()))
      .completion()
      .compose(consuming -> bridge.listen(config.get(BRIDGE_TCP_PORT), config.get(HOST)))
      .onSuccess(listening -> log.info("TCP event-bus bridge on {} ({})", Events.hostPort(config.get(HOST), actualPort()),
        config.bridgeTls() ? "TLS, the TLS echo port's certificate " + config.tls().certPath() : "plaintext"));
  }

  @Override
  public Future<?> stop() {
    return bridge == null ? Future.succeededFuture() : bridge.close();
  }

  /** The port it listens on (resolved when the config asked for a free one). */
  public int actualPort() {
    return server.actualPort();
  }

  /** This Vert.x, with the bus renaming {@code echo.connections} and the server guarding its sockets. */
  private Vertx guarded(Vertx real) {
    EventBus bus = renaming(real.eventBus());
    return wrap(Vertx.class, real, (method, args) -> switch (method.getName()) {
      case "eventBus" -> bus;
      case "createNetServer" -> {
        server = (NetServer) call(real, method, args);
        yield wrap(NetServer.class, server, (serverMethod, serverArgs) ->
          serverMethod.getName().equals("connectHandler") && serverArgs[0] instanceof Handler<?> handler
            ? server.connectHandler(socket -> admit(socket, cast(handler))) : call(server, serverMethod, serverArgs));
      }
      default -> call(real, method, args);
    });
  }

  @SuppressWarnings("unchecked")
  private static Handler<NetSocket> cast(Handler<?> handler) {
    return (Handler<NetSocket>) handler;
  }

  /** A new socket takes a place in the node's budget, or is refused; an admitted one gets a bounded write queue. */
  private void admit(NetSocket socket, Handler<NetSocket> bridgeHandler) {
    SocketAddress remote = socket.remoteAddress();
    String address = remote == null ? "" : remote.hostAddress() != null ? remote.hostAddress() : remote.toString();
    ConnectionGate.Verdict verdict = gate.tryAcquire(address, config);
    if (verdict != ConnectionGate.Verdict.ADMITTED) {
      LingeringClose.close(vertx, socket, errFrame(verdict == ConnectionGate.Verdict.SERVER_FULL ? "server_full" : "too_many_connections"));
      return;
    }
    socket.closeHandler(closed -> gate.release(address));
    bridgeHandler.handle(bounded(socket, address));
  }

  /** The socket, disconnected when a write would leave more than {@link #MAX_UNWRITTEN_BYTES} unwritten. */
  private static NetSocket bounded(NetSocket socket, String address) {
    int[] unwritten = {0};
    boolean[] closing = {false};
    return wrap(NetSocket.class, socket, (method, args) -> {
      if (!method.getName().equals("write") || args.length != 1 || !(args[0] instanceof Buffer frame)) {
        return call(socket, method, args);
      }
      if (closing[0]) {
        return Future.failedFuture("disconnected: it did not read");
      }
      int length = frame.length();
      unwritten[0] += length;
      Future<Void> written = socket.write(frame).onComplete(done -> unwritten[0] -= length);
      if (unwritten[0] > MAX_UNWRITTEN_BYTES) {
        closing[0] = true;
        log.info("TCP bridge client {} disconnected: it did not read, {} bytes were waiting for it", address, unwritten[0]);
        socket.close();
      }
      return written;
    });
  }

  /** The bus, where a consumer of {@code echo.connections} consumes the relay's address and hears it under that name. */
  private static EventBus renaming(EventBus bus) {
    return wrap(EventBus.class, bus, (method, args) -> {
      if (method.getName().equals("consumer") && args.length == 2 && Events.CONNECTIONS.equals(args[0])
        && args[1] instanceof Handler<?> handler) {
        @SuppressWarnings("unchecked")
        Handler<Message<Object>> client = (Handler<Message<Object>>) handler;
        return bus.consumer(Events.BRIDGE_CONNECTIONS, (Message<Object> message) -> client.handle(named(message)));
      }
      return call(bus, method, args);
    });
  }

  @SuppressWarnings("unchecked")
  private static Message<Object> named(Message<Object> message) {
    return wrap(Message.class, message, (method, args) ->
      method.getName().equals("address") && args.length == 0 ? Events.CONNECTIONS : call(message, method, args));
  }

  private static Buffer errFrame(String message) {
    Buffer json = new JsonObject().put("type", "err").put("message", message).toBuffer();
    return Buffer.buffer(4 + json.length()).appendInt(json.length()).appendBuffer(json);
  }

  /** A call the wrapper takes, or passes on to the wrapped object ({@link #call}). */
  private interface Interceptor {
    Object invoke(Method method, Object[] args) throws Throwable;
  }

  @SuppressWarnings("unchecked")
  private static <T> T wrap(Class<T> type, Object target, Interceptor interceptor) {
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type},
      (proxy, method, args) -> interceptor.invoke(method, args == null ? new Object[0] : args));
  }

  private static Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
