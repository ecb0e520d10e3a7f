package io.vertxecho.echo;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertxecho.config.ConfigException;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.events.EventCodec;
import io.vertxecho.events.Events;
import io.vertxecho.internal.ProxyHeaderDeadline;
import io.vertxecho.internal.Refusal;
import io.vertxecho.internal.VertxInternals;
import io.vertxecho.text.Plural;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.vertxecho.config.EchoConfig.HOST;
import static io.vertxecho.config.EchoConfig.MODE;
import static io.vertxecho.config.EchoConfig.PORT;
import static io.vertxecho.config.EchoConfig.PROXY_PROTOCOL;
import static io.vertxecho.config.EchoConfig.DRAIN_DELAY_MILLIS;
import static io.vertxecho.config.EchoConfig.SHUTDOWN_GRACE_SECONDS;
import static io.vertxecho.config.EchoConfig.STATS_INTERVAL_MILLIS;

/**
 * Serves the echo protocol on the node's port. Deployed many times: instances share one listening
 * socket and Vert.x deals new connections round-robin across their event loops.
 */
public final class EchoVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(EchoVerticle.class);
  /**
   * With {@code proxyProtocol}: a connection that sends no complete PROXY header in this time after accept is closed
   * (close reason {@code proxy-timeout}, by {@link ProxyHeaderDeadline}, which the launcher installs).
   */
  public static final int PROXY_HEADER_TIMEOUT_SECONDS = 5;
  /** Vert.x's own header timeout, idle-based and not reported: only a backstop when Vert.x was built without it. */
  private static final int VERTX_PROXY_HEADER_IDLE_SECONDS = 2 * PROXY_HEADER_TIMEOUT_SECONDS;
  /**
   * The protocol name the echo servers give Vert.x's metrics, which leave them out ({@code QuietMetrics}): the
   * {@code echo_*} series count their connections and bytes, and a socket metric would cost each connection a meter
   * object and a copy of its remote address.
   */
  public static final String PROTOCOL = "vertx-echo";

  private final String nodeId;
  private final ConnectionGate gate;
  /** By identity: an idle connection costs its set a slot pair, not a hash node. */
  private final Set<EchoConnection> connections = Collections.newSetFromMap(new IdentityHashMap<>());
  private EchoConfig config;
  /** What the connections accepted under the current config share. */
  private EchoConnection.Shared shared;
  /** The last local address seen and its text: one string for the events of all connections to it. */
  private java.net.SocketAddress lastLocal;
  private String lastLocalText;
  private NetServer server;
  private NetServer tlsServer;
  private String instanceId;
  private String eventLoop;
  private long accepted;
  private long closedBytesIn;
  private long closedBytesOut;
  private long summaryTimer = -1;
  private boolean draining;
  private Promise<Void> allClosed;
  /** The connection events go out by {@link EventCodec}: their consumers on this node share each one, read-only. */
  private final DeliveryOptions eventDelivery = EventCodec.delivery();

  /** @param config the node's config as it is when this instance starts; later changes come over the bus */
  public EchoVerticle(EchoConfig config, String nodeId, ConnectionGate gate) {
    this.config = config;
    this.nodeId = nodeId;
    this.gate = gate;
  }

  @Override
  public Future<?> start() {
    instanceId = deploymentID() + "/" + UUID.randomUUID().toString().substring(0, 8);
    shared = shared(config);
    eventLoop = Thread.currentThread().getName();
    NetServerOptions options = new NetServerOptions()
      .setHost(config.get(HOST))
      .setPort(config.get(PORT) == 0 ? -1 : config.get(PORT))
      .setTcpNoDelay(true)
      .setUseProxyProtocol(config.get(PROXY_PROTOCOL))
      .setProxyProtocolTimeout(VERTX_PROXY_HEADER_IDLE_SECONDS)
      .setProxyProtocolTimeoutUnit(TimeUnit.SECONDS);
    server = VertxInternals.createNetServer(vertx, options, PROTOCOL)
      .connectHandler(this::handleConnection)
      .exceptionHandler(failure -> handleRefused(failure, config.get(PROXY_PROTOCOL) ? CloseReason.PROXY_HEADER : null));
    Future<?> plain = vertx.eventBus().<JsonObject>localConsumer(Events.CONFIG, change -> reconfigure(EchoConfig.fromJson(change.body())))
      .completion()
      .compose(registered -> server.listen())
      .recover(failure -> Future.failedFuture(ConfigException.cannotListen("host", "port", config.get(HOST), config.get(PORT), failure)));
    return plain.compose(listening -> listenTls())
      .onSuccess(listening -> {
        log.debug("Instance {} listening on {} ({})", instanceId, Events.hostPort(config.get(HOST), server.actualPort()), eventLoop);
        // An instance speaks only once it serves: the stats wait for the last word of every instance that spoke.
        summaryTimer = vertx.setPeriodic(config.get(STATS_INTERVAL_MILLIS), id -> publishSummary(false));
        publishSummary(false);
      });
  }

  /** The TLS port, when configured: the same protocol, limits and stats as the plain one. */
  private Future<?> listenTls() {
    if (!config.tls().enabled()) {
      return Future.succeededFuture();
    }
    tlsServer = VertxInternals.createNetServer(vertx, TlsPort.serverOptions(config), PROTOCOL)
      .connectHandler(this::handleConnection)
      .exceptionHandler(failure -> handleRefused(failure, CloseReason.TLS_HANDSHAKE_FAILED));
    return tlsServer.listen()
      .recover(failure -> Future.failedFuture(ConfigException.cannotListenTls(config, failure)))
      .compose(listening -> vertx.eventBus().localConsumer(Events.TLS_RELOAD, this::reloadCertificate).completion());
  }

  /**
   * The certificate watcher saw the files change: swaps them in. The instances share the TLS port's listening socket,
   * and a swap on any of them serves all.
   */
  private void reloadCertificate(Message<Object> request) {
    tlsServer.updateSSLOptions(TlsPort.sslOptions(config.tls()), true)
      .onSuccess(updated -> request.reply(null))
      .onFailure(failure -> request.fail(0, failure.getMessage()));
  }

  /**
   * Graceful drain: after {@code drainDelayMillis} (the node's /ready answers 503 meanwhile, and the instance still
   * accepts), stop accepting, tell clients, keep echoing until they leave or the grace period ends, then echo what is
   * left and close. A port closed while a load balancer still sends to it resets the connections the kernel had
   * queued for it. The servers' own shutdown (which tells each connection) is given the same grace period:
   * its deadline is set after this verticle's, on the same event loop, so this verticle ends each drain first.
   */
  @Override
  public Future<?> stop() {
    draining = true;
    publishSummary(false);
    Promise<Void> delayed = Promise.promise();
    vertx.setTimer(Math.max(1, config.get(DRAIN_DELAY_MILLIS)), id -> delayed.complete());
    return delayed.future().compose(delay -> drain());
  }

  private Future<?> drain() {
    int grace = config.get(SHUTDOWN_GRACE_SECONDS);
    int open = connections.size();
    if (open > 0) {
      log.info("Draining {} on {} (grace period {} s)", Plural.of(open, "connection"), eventLoop, grace);
    }
    vertx.setTimer(Math.max(1, grace * 1000L), id -> {
      if (!connections.isEmpty()) {
        log.info("Grace period over on {}: closing {} of {}", eventLoop, connections.size(), Plural.of(open, "connection"));
        List.copyOf(connections).forEach(EchoConnection::endDrain);
      }
    });
    // Before the servers' shutdown reaches them; connections accepted since stop() began got their handler at start.
    connections.forEach(EchoConnection::drainNext);
    allClosed = Promise.promise();
    if (connections.isEmpty()) {
      allClosed.complete();
    }
    // The final summary goes out after every disconnected event, so the stats never see this instance again.
    Future<Void> tlsClosed = tlsServer == null ? Future.succeededFuture() : tlsServer.shutdown(grace, TimeUnit.SECONDS);
    return Future.all(server.shutdown(grace, TimeUnit.SECONDS), tlsClosed)
      .compose(done -> allClosed.future())
      .andThen(done -> {
        vertx.cancelTimer(summaryTimer);
        log.debug("Instance {} drained: {} connections accepted", instanceId, accepted);
        publishSummary(true);
      });
  }

  /**
   * Applies new settings to the connections accepted from now on; open connections keep the settings
   * they started with. Host and port are fixed for the instance's life.
   */
  private void reconfigure(EchoConfig next) {
    if (summaryTimer >= 0 && !next.get(STATS_INTERVAL_MILLIS).equals(config.get(STATS_INTERVAL_MILLIS))) {
      vertx.cancelTimer(summaryTimer);
      summaryTimer = vertx.setPeriodic(next.get(STATS_INTERVAL_MILLIS), id -> publishSummary(false));
    }
    config = next;
    shared = shared(next);
  }

  /** What the connections accepted under {@code config} share. */
  private EchoConnection.Shared shared(EchoConfig config) {
    return new EchoConnection.Shared(vertx, config, instanceId, this::handleClosed);
  }

  /** The port this instance listens on (resolved when the config asked for a random one). */
  public int actualPort() {
    return server.actualPort();
  }

  /** The TLS port this instance listens on, or -1 when TLS is off. */
  public int actualTlsPort() {
    return tlsServer == null ? -1 : tlsServer.actualPort();
  }

  private void handleConnection(NetSocket socket) {
    Client client = Client.of(VertxInternals.remoteAddress(socket));
    ConnectionGate.Verdict verdict = gate.tryAcquire(client.host(), config);
    if (verdict == ConnectionGate.Verdict.SERVER_FULL) {
      reject(socket, client, CloseReason.SERVER_FULL, "ERR server full");
      return;
    }
    if (verdict == ConnectionGate.Verdict.PER_IP_LIMIT) {
      reject(socket, client, CloseReason.PER_IP_LIMIT, "ERR too many connections from your address");
      return;
    }
    accepted++;
    EchoConnection connection = new EchoConnection(shared, socket, accepted);
    connections.add(connection);
    publish(connectionEvent(Events.CONNECTED, socket, client).put(Events.CONNECTION, connection.id()));
    connection.start(draining);
  }

  /** Tells a client over a limit why (line mode) and closes it: a {@link LingeringClose}. */
  private void reject(NetSocket socket, Client client, CloseReason reason, String lineModeMessage) {
    LingeringClose.close(vertx, socket, config.get(MODE) == EchoConfig.Mode.LINE ? Buffer.buffer(lineModeMessage + "\n") : null);
    publish(connectionEvent(Events.REJECTED, socket, client).put(Events.REASON, reason.key()));
  }

  /**
   * A connection's remote address, read from the channel ({@link VertxInternals#remoteAddress}; the real client's
   * behind the PROXY protocol) when it opens and again when it closes, rather than kept by each connection:
   * {@code host} is what the per-client limit counts (its IP), {@code text} what the events write.
   */
  private record Client(String host, String text) {

    static Client of(java.net.SocketAddress remote) {
      if (remote instanceof InetSocketAddress inet) {
        String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        return new Client(host, Events.hostPort(host, inet.getPort()));
      }
      String text = remote == null ? "" : remote.toString();
      return new Client(text, text);
    }
  }

  /**
   * A connection Vert.x closed before handing it over: a client that never completed its TLS handshake (bad
   * certificate, plaintext, timeout) or, with {@code proxyProtocol}, one that sent no valid PROXY header (a bad one,
   * none in time, or a close first). Counted as rejected with its reason and, as a {@link Refusal} from the launcher's
   * transport, its addresses; {@code otherwise} is the reason of a bare failure (null: not a refusal).
   */
  private void handleRefused(Throwable failure, CloseReason otherwise) {
    CloseReason reason = failure instanceof ProxyHeaderDeadline.Timeout ? CloseReason.PROXY_TIMEOUT : otherwise;
    if (reason == null) {
      log.debug("Connection refused before accept: {}", failure.toString());
      return;
    }
    JsonObject event = event(Events.REJECTED).put(Events.REASON, reason.key());
    if (failure instanceof Refusal refusal) {
      event.put(Events.REMOTE, hostPort(refusal.remote())).put(Events.LOCAL, hostPort(refusal.local()));
    }
    log.debug("Connection from {} refused ({}): {}", event.getString(Events.REMOTE, "?"), reason.key(), failure.getMessage());
    publish(event);
  }

  /** A Netty channel's address as the events write one ("" if there is none). */
  private static String hostPort(java.net.SocketAddress address) {
    return address instanceof InetSocketAddress inet ? Events.hostPort(SocketAddress.inetSocketAddress(inet))
      : address == null ? "" : address.toString();
  }

  private void handleClosed(EchoConnection connection) {
    connections.remove(connection);
    Client client = Client.of(VertxInternals.remoteAddress(connection.socket()));
    gate.release(client.host());
    closedBytesIn += connection.bytesIn();
    closedBytesOut += connection.bytesOut();
    JsonObject event = connectionEvent(Events.DISCONNECTED, connection.socket(), client)
      .put(Events.CONNECTION, connection.id())
      .put(Events.BYTES_IN, connection.bytesIn())
      .put(Events.BYTES_OUT, connection.bytesOut())
      .put(Events.DURATION_MILLIS, System.currentTimeMillis() - connection.openedAt())
      .put(Events.REASON, connection.reason().key());
    if (connection.mode() == EchoConfig.Mode.LINE) {
      event.put(Events.LINES, connection.lines());
    }
    publish(event);
    if (allClosed != null && connections.isEmpty()) {
      allClosed.tryComplete();
    }
  }

  private JsonObject connectionEvent(String type, NetSocket socket, Client client) {
    return event(type)
      .put(Events.REMOTE, client.text())
      .put(Events.LOCAL, localText(socket));
  }

  /**
   * The socket's local address as the events write it. Read without {@code NetSocket.localAddress()}, which keeps a
   * copy and its host string in every socket (about 90 bytes an idle connection held); the text is made once per
   * address an instance's clients reach.
   */
  private String localText(NetSocket socket) {
    java.net.SocketAddress local = VertxInternals.localAddress(socket);
    if (local == null) {
      return Events.hostPort(socket.localAddress());
    }
    if (!local.equals(lastLocal)) {
      lastLocal = local;
      lastLocalText = hostPort(local);
    }
    return lastLocalText;
  }

  /** The fields every connection event has; one refused before Vert.x handed over a socket has only these. */
  private JsonObject event(String type) {
    return new JsonObject()
      .put(Events.EVENT, type)
      .put(Events.NODE, nodeId)
      .put(Events.INSTANCE, instanceId)
      .put(Events.EVENT_LOOP, eventLoop)
      .put(Events.TIME, System.currentTimeMillis());
  }

  private void publish(JsonObject connectionEvent) {
    vertx.eventBus().publish(Events.CONNECTIONS, connectionEvent, eventDelivery);
  }

  private void publishSummary(boolean last) {
    long bytesIn = closedBytesIn;
    long bytesOut = closedBytesOut;
    for (EchoConnection connection : connections) {
      bytesIn += connection.bytesIn();
      bytesOut += connection.bytesOut();
    }
    vertx.eventBus().publish(Events.INSTANCE_SUMMARY, new JsonObject()
      .put(Events.NODE, nodeId)
      .put(Events.INSTANCE, instanceId)
      .put(Events.EVENT_LOOP, eventLoop)
      .put(Events.ADDRESS, Events.hostPort(config.get(HOST), server.actualPort()))
      .put(Events.ACTIVE, connections.size())
      .put(Events.ACCEPTED, accepted)
      .put(Events.BYTES_IN, bytesIn)
      .put(Events.BYTES_OUT, bytesOut)
      .put(Events.DRAINING, draining)
      .put(Events.FINAL, last));
  }
}
