package io.vertxecho.internal;

import io.netty.channel.Channel;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * A connection closed before Vert.x handed it over, with its addresses. Vert.x gives the {@code NetServer}'s exception
 * handler only a failure, not the connection it belongs to: {@link RefusalAddresses} and {@link ProxyHeaderDeadline}
 * make the failure this, so that the rejection is logged and published with the address it came from.
 * Waits for: a {@code NetServer} exception handler that is told the connection of a failure.
 */
public class Refusal extends IOException {

  private final transient SocketAddress remote;
  private final transient SocketAddress local;

  Refusal(String message, Throwable cause, Channel channel) {
    super(message, cause);
    this.remote = channel.remoteAddress();
    this.local = channel.localAddress();
  }

  /** The peer: with the PROXY protocol, the proxy's address (or that of a client connecting directly). */
  public SocketAddress remote() {
    return remote;
  }

  public SocketAddress local() {
    return local;
  }
}
