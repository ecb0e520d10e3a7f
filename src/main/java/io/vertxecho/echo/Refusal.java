package io.vertxecho.echo;

import io.netty.channel.Channel;
import io.vertxecho.events.Events;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A connection closed before Vert.x handed it to the echo verticle, with the close reason it counts under and its
 * addresses. Vert.x gives the {@code NetServer}'s exception handler only a failure, not the connection it belongs to:
 * {@link RefusalAddresses} and {@link ProxyHeaderDeadline} make the failure this, so that the rejection is logged and
 * published with the address it came from.
 */
final class Refusal extends IOException {

  private final transient CloseReason reason;
  private final String remote;
  private final String local;

  Refusal(CloseReason reason, Channel channel, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.remote = hostPort(channel.remoteAddress());
    this.local = hostPort(channel.localAddress());
  }

  CloseReason reason() {
    return reason;
  }

  /** The peer: with {@code proxyProtocol}, the proxy's address (or that of a client connecting directly). */
  String remote() {
    return remote;
  }

  String local() {
    return local;
  }

  /** As the connection events write an address ({@link Events#hostPort}). */
  private static String hostPort(SocketAddress address) {
    return address instanceof InetSocketAddress inet && inet.getAddress() != null
      ? Events.hostPort(inet.getAddress().getHostAddress(), inet.getPort()) : String.valueOf(address);
  }
}
