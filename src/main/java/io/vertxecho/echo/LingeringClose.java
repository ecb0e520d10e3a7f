package io.vertxecho.echo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertxecho.internal.VertxInternals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * How a refused client is closed, on the echo port and the TCP bridge: its line (line mode; the bridge's err frame),
 * then the end of the output (a FIN), then its input read and dropped until it closes too, or for {@link #BOUND} at
 * most. A socket closed with input still unread sends a reset
 * instead of a FIN, and the reset can overtake the line: a client that sent anything before it read would lose the
 * line or see a reset after it. A client that keeps the socket open past the bound is closed then, told long before.
 */
public final class LingeringClose {

  private static final Logger log = LoggerFactory.getLogger(LingeringClose.class);
  /**
   * The longest a refused client's socket stays open when the client does not close it: many round trips for the line
   * and the FIN to reach it and for what it sent before it heard to arrive, and short, because the socket counts
   * against the node's open files meanwhile.
   */
  static final Duration BOUND = Duration.ofSeconds(2);

  private LingeringClose() {
  }

  /** Sends {@code line} (null: nothing), ends the output and closes once the client has closed or the bound is over. */
  public static void close(Vertx vertx, NetSocket socket, Buffer line) {
    long bound = vertx.setTimer(BOUND.toMillis(), id -> socket.close());
    socket.closeHandler(closed -> vertx.cancelTimer(bound));
    socket.exceptionHandler(failure -> log.debug("Refused client {}: {}", socket.remoteAddress(), failure.toString()));
    socket.handler(dropped -> { });
    Future<Void> written = line == null ? Future.succeededFuture() : socket.write(line);
    written.onSuccess(done -> VertxInternals.endOutput(socket));
  }
}
