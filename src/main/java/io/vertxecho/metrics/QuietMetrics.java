package io.vertxecho.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpClientConfig;
import io.vertx.core.http.HttpServerConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.QuicEndpointConfig;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TcpClientConfig;
import io.vertx.core.net.TcpServerConfig;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TransportMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.MicrometerMetricsFactory;

import java.util.Set;

/**
 * Vert.x's Micrometer metrics, every series as they are, except where the {@code echo_*} series count the same thing
 * for less:
 * <ul>
 *   <li>the event-bus series of a few addresses: Vert.x counts each message sent, received and delivered by address, a
 *   meter lookup (tags, a meter id, a map) each time, and the connection events are one message per connection and
 *   per consumer (under churn, 0.9 KB of allocation and about a microsecond per connection);</li>
 *   <li>the TCP server series of servers that name one of a few protocols (the echo ports): a socket metric is an
 *   object per connection, and it makes Vert.x keep a copy of the connection's remote address, with its host string
 *   (120 bytes an idle connection held).</li>
 * </ul>
 * Built by the launcher for {@code VertxBuilder.withMetrics}; with metrics disabled it builds none, as Vert.x would.
 */
public final class QuietMetrics implements VertxMetricsFactory {

  private final VertxMetricsFactory micrometer = new MicrometerMetricsFactory();
  private final Set<String> unmetered;
  private final Set<String> unmeteredProtocols;

  /**
   * @param unmetered the event-bus addresses left out of the event-bus series
   * @param unmeteredProtocols the protocols (as servers name them to Vert.x) whose TCP servers are left out
   */
  public QuietMetrics(Set<String> unmetered, Set<String> unmeteredProtocols) {
    this.unmetered = Set.copyOf(unmetered);
    this.unmeteredProtocols = Set.copyOf(unmeteredProtocols);
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    MetricsOptions metrics = options.getMetricsOptions();
    return metrics == null || !metrics.isEnabled() ? null : new Metrics(micrometer.metrics(options), unmetered, unmeteredProtocols);
  }

  @Override
  public MetricsOptions newOptions() {
    return micrometer.newOptions();
  }

  @Override
  public MetricsOptions newOptions(MetricsOptions options) {
    return micrometer.newOptions(options);
  }

  @Override
  public MetricsOptions newOptions(JsonObject json) {
    return micrometer.newOptions(json);
  }

  /**
   * Every method of {@link VertxMetrics} passed through ({@code QuietMetricsTest} checks none is left out), the event
   * bus's filtered, and TCP servers of the unmetered protocols left out.
   */
  private static final class Metrics implements VertxMetrics {

    private final VertxMetrics delegate;
    private final Set<String> unmetered;
    private final Set<String> unmeteredProtocols;

    Metrics(VertxMetrics delegate, Set<String> unmetered, Set<String> unmeteredProtocols) {
      this.delegate = delegate;
      this.unmetered = unmetered;
      this.unmeteredProtocols = unmeteredProtocols;
    }

    @Override
    public EventBusMetrics<?> createEventBusMetrics() {
      EventBusMetrics<?> bus = delegate.createEventBusMetrics();
      return bus == null ? null : new BusMetrics<>(bus, unmetered);
    }

    @Override
    public HttpServerMetrics<?, ?> createHttpServerMetrics(HttpServerConfig config, SocketAddress tcpLocalAddress, SocketAddress udpLocalAddress) {
      return delegate.createHttpServerMetrics(config, tcpLocalAddress, udpLocalAddress);
    }

    @Override
    public ClientMetrics<?, ?, ?> createClientMetrics(SocketAddress remoteAddress, String type, String namespace) {
      return delegate.createClientMetrics(remoteAddress, type, namespace);
    }

    @Override
    public HttpClientMetrics<?, ?> createHttpClientMetrics(HttpClientConfig config) {
      return delegate.createHttpClientMetrics(config);
    }

    @Override
    public TransportMetrics<?> createTcpServerMetrics(TcpServerConfig config, String protocol, SocketAddress localAddress) {
      return protocol != null && unmeteredProtocols.contains(protocol) ? null : delegate.createTcpServerMetrics(config, protocol, localAddress);
    }

    @Override
    public TransportMetrics<?> createTcpClientMetrics(TcpClientConfig config, String protocol) {
      return delegate.createTcpClientMetrics(config, protocol);
    }

    @Override
    public TransportMetrics<?> createQuicEndpointMetrics(QuicEndpointConfig config, String protocol, SocketAddress localAddress) {
      return delegate.createQuicEndpointMetrics(config, protocol, localAddress);
    }

    @Override
    public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions options) {
      return delegate.createDatagramSocketMetrics(options);
    }

    @Override
    public PoolMetrics<?, ?> createPoolMetrics(String type, String name, int maxSize) {
      return delegate.createPoolMetrics(type, name, maxSize);
    }

    @Override
    public void vertxCreated(Vertx vertx) {
      delegate.vertxCreated(vertx);
    }

    @Override
    public boolean isMetricsEnabled() {
      return delegate.isMetricsEnabled();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  /**
   * The event bus's metrics without the unmetered addresses: a handler registered on one gets no handler metric (null,
   * which Vert.x and Micrometer take as "not measured"), and its messages are not counted.
   */
  private static final class BusMetrics<H> implements EventBusMetrics<H> {

    private final EventBusMetrics<H> delegate;
    private final Set<String> unmetered;

    BusMetrics(EventBusMetrics<H> delegate, Set<String> unmetered) {
      this.delegate = delegate;
      this.unmetered = unmetered;
    }

    @Override
    public H handlerRegistered(String address) {
      return unmetered.contains(address) ? null : delegate.handlerRegistered(address);
    }

    @Override
    public void handlerUnregistered(H handler) {
      if (handler != null) {
        delegate.handlerUnregistered(handler);
      }
    }

    @Override
    public void scheduleMessage(H handler, boolean local) {
      if (handler != null) {
        delegate.scheduleMessage(handler, local);
      }
    }

    @Override
    public void discardMessage(H handler, boolean local, Message<?> message) {
      if (handler != null) {
        delegate.discardMessage(handler, local, message);
      }
    }

    @Override
    public void messageDelivered(H handler, boolean local) {
      if (handler != null) {
        delegate.messageDelivered(handler, local);
      }
    }

    @Override
    public void messageSent(String address, boolean publish, boolean local, boolean remote) {
      if (!unmetered.contains(address)) {
        delegate.messageSent(address, publish, local, remote);
      }
    }

    @Override
    public void messageReceived(String address, boolean publish, boolean local, int handlers) {
      if (!unmetered.contains(address)) {
        delegate.messageReceived(address, publish, local, handlers);
      }
    }

    @Override
    public void messageWritten(String address, int numberOfBytes) {
      if (!unmetered.contains(address)) {
        delegate.messageWritten(address, numberOfBytes);
      }
    }

    @Override
    public void messageRead(String address, int numberOfBytes) {
      if (!unmetered.contains(address)) {
        delegate.messageRead(address, numberOfBytes);
      }
    }

    @Override
    public void replyFailure(String address, ReplyFailure failure) {
      if (!unmetered.contains(address)) {
        delegate.replyFailure(address, failure);
      }
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
