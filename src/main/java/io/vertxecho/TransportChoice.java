package io.vertxecho;

import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import io.vertxecho.config.ConfigException;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.config.EchoConfig.NetTransport;
import io.vertxecho.internal.ServerTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;

import static io.vertxecho.config.EchoConfig.TRANSPORT;

/**
 * The network transport a node's Vert.x is built with, from the config's {@code transport} key. A named transport
 * that is not available here stops the start with the reason (exit code 78). {@code auto} takes the first available
 * of {@link #AUTO_ORDER}, saying in one line why it passed over a preferred one that this machine refuses (Docker's
 * default seccomp profile refuses io_uring), and NIO when the Vert.x option {@code preferNativeTransport} is false.
 */
final class TransportChoice {

  private static final Logger log = LoggerFactory.getLogger(TransportChoice.class);

  /** What {@code auto} tries, first the one that costs the least CPU per message and per connection here (docs/performance.md). */
  static final List<NetTransport> AUTO_ORDER = List.of(NetTransport.IO_URING, NetTransport.EPOLL);

  private TransportChoice() {
  }

  /** The transport {@code config} asks for, available. */
  static Transport of(EchoConfig config, VertxOptions options) {
    return of(config.get(TRANSPORT), options.getPreferNativeTransport(), log::warn);
  }

  /** {@code wanted}, or for {@code auto} the first available of {@link #AUTO_ORDER}; a passed-over one is told to {@code fallback}. */
  static Transport of(NetTransport wanted, boolean preferNative, Consumer<String> fallback) {
    ServerTransport.oneAcceptAtATime();
    if (wanted == NetTransport.NIO || wanted == NetTransport.AUTO && !preferNative) {
      return Transport.NIO;
    }
    if (wanted != NetTransport.AUTO) {
      Transport named = vertxTransport(wanted);
      if (named == null || !named.available()) {
        throw new ConfigException("Transport " + wanted.key() + " (config transport) is not available here: " + cause(named)
          + "; transport auto takes the best one that is");
      }
      return named;
    }
    for (NetTransport candidate : AUTO_ORDER) {
      Transport transport = vertxTransport(candidate);
      if (transport != null && transport.available()) {
        return transport;
      }
      if (candidate == AUTO_ORDER.get(0)) {
        fallback.accept("transport auto: " + candidate.key() + " is not available here (" + cause(transport) + "), using "
          + fallbackName(candidate));
      }
    }
    return Transport.NIO;
  }

  private static String fallbackName(NetTransport refused) {
    for (NetTransport candidate : AUTO_ORDER) {
      Transport transport = vertxTransport(candidate);
      if (candidate != refused && transport != null && transport.available()) {
        return candidate.key();
      }
    }
    return "nio";
  }

  private static Transport vertxTransport(NetTransport transport) {
    return switch (transport) {
      case EPOLL -> Transport.EPOLL;
      case IO_URING -> Transport.IO_URING;
      case NIO -> Transport.NIO;
      case AUTO -> throw new IllegalArgumentException("auto is a choice, not a transport");
    };
  }

  /** Why a transport is not available: its innermost cause's message (such as the kernel's refusal). */
  private static String cause(Transport transport) {
    Throwable cause = transport == null ? null : transport.unavailabilityCause();
    if (cause == null) {
      return "not on the class path or not this operating system";
    }
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getMessage() != null ? cause.getMessage() : cause.toString();
  }
}
