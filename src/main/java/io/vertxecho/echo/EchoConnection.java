package io.vertxecho.echo;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.internal.ChannelHooks;
import io.vertxecho.internal.VertxInternals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.vertxecho.config.EchoConfig.GOODBYE;
import static io.vertxecho.config.EchoConfig.GREETING;
import static io.vertxecho.config.EchoConfig.IDLE_TIMEOUT_SECONDS;
import static io.vertxecho.config.EchoConfig.MAX_LINE_BYTES;
import static io.vertxecho.config.EchoConfig.MODE;

/**
 * One client's state and protocol: frames its bytes by mode, echoes them with backpressure, and records
 * why it closed. Confined to its instance's event loop, so plain fields suffice.
 */
final class EchoConnection extends ChannelHooks implements LineFramer.Echo {

  private static final Logger log = LoggerFactory.getLogger(EchoConnection.class);
  /**
   * Echoed bytes not yet taken by the kernel above which reading stops, and at or below which it resumes: the
   * channel's write-buffer water marks ({@link VertxInternals#serve}). Vert.x's own signal, {@code writeQueueFull()},
   * comes only after 16 more writes have queued behind Netty's 64 KiB, up to 1 MiB of heap for each client that sends
   * without reading: measured again on Vert.x 5.2.3, pausing on it instead fails {@code HeapExhaustionIT}
   * (docs/architecture.md, "Backpressure").
   */
  static final int UNWRITTEN_HIGH = 64 * 1024;
  static final int UNWRITTEN_LOW = 32 * 1024;

  private final Shared shared;
  private final NetSocket socket;
  private final long number;
  /** Line mode only, made at the client's first byte: raw mode frames nothing, and a silent connection holds no framer. */
  private LineFramer framer;
  private final long openedAt = System.currentTimeMillis();
  private long lastActivity = System.nanoTime();
  private long idleTimer = -1;
  private long bytesIn;
  private long bytesOut;
  private boolean readingStopped;
  private boolean draining;
  private CloseReason reason;

  /**
   * What the connections an instance accepts under one config share, made once per instance and config so that an
   * idle connection holds one reference to it: the mode, the greeting ready to write (a direct buffer, which the transports
   * write without a copy) and the longest quit command worked out once.
   */
  record Shared(Vertx vertx, EchoConfig config, String instanceId, Consumer<EchoConnection> onClosed, boolean lineMode,
                Buffer greeting, int longestCommand) {

    Shared(Vertx vertx, EchoConfig config, String instanceId, Consumer<EchoConnection> onClosed) {
      this(vertx, config, instanceId, onClosed, config.get(MODE) == EchoConfig.Mode.LINE, greeting(config),
        LineFramer.longestCommand(config));
    }

    private static Buffer greeting(EchoConfig config) {
      if (config.get(GREETING).isEmpty()) {
        return null;
      }
      byte[] line = (config.get(GREETING) + "\n").getBytes(StandardCharsets.UTF_8);
      return VertxInternals.directBuffer(line);
    }
  }

  /** The connection's id, {@code instanceId-number}, is built when asked for: idle connections do not hold it. */
  EchoConnection(Shared shared, NetSocket socket, long number) {
    this.shared = shared;
    this.socket = socket;
    this.number = number;
  }

  /** @param draining whether the instance is draining already (else {@link #drainNext()} is called when it starts) */
  void start(boolean draining) {
    VertxInternals.serve(socket, this, UNWRITTEN_LOW, UNWRITTEN_HIGH);
    socket.handler(this);
    socket.endHandler(v -> handleEnd());
    socket.exceptionHandler(this::handleError);
    if (draining) {
      drainNext();
    }
    socket.closeHandler(v -> handleClosed());
    if (shared.greeting() != null) {
      write(shared.greeting());
    }
    if (config().get(IDLE_TIMEOUT_SECONDS) > 0) {
      armIdleTimer(TimeUnit.SECONDS.toMillis(config().get(IDLE_TIMEOUT_SECONDS)));
    }
  }

  /**
   * The client's bytes, most often the channel's pooled buffer as it was read ({@link ChannelHooks}): echoed whole as
   * they came (raw mode), or line by line and then released, nothing of them kept. The connection is also the socket's
   * data handler (for what Vert.x read before the connection was in the pipeline): one object fewer per connection.
   */
  @Override
  public void handle(Buffer data) {
    lastActivity = System.nanoTime();
    bytesIn += data.length();
    if (!shared.lineMode()) {
      write(data, true);
      return;
    }
    try {
      if (reason == null) {
        handleLines(data);
      }
    } finally {
      VertxInternals.release(data);
    }
  }

  private void handleLines(Buffer data) {
    if (framer == null) {
      framer = new LineFramer(config(), shared.longestCommand(), this);
    }
    switch (framer.feed(data)) {
      case QUIT -> closeWith(CloseReason.QUIT, config().get(GOODBYE));
      case TOO_LONG -> lineTooLong();
      case MORE -> { }
    }
  }

  private void lineTooLong() {
    closeWith(CloseReason.LINE_TOO_LONG, "ERR line too long (limit " + config().get(MAX_LINE_BYTES) + " bytes)");
  }

  /** Echoes {@code data}; reading stops while more than {@link #UNWRITTEN_HIGH} bytes wait for the kernel. */
  private void write(Buffer data) {
    write(data, false);
  }

  /** A line (or lines) the framer echoes: written as a slice, as the framer may still look at the bytes. */
  @Override
  public void echo(Buffer bytes) {
    write(bytes);
  }

  /**
   * A read that was only complete lines, echoed whole: the channel takes a reference of its own to it (the one
   * {@link #handle} holds is released as ever), so no slice of it is made: 42 bytes less garbage per echo.
   */
  @Override
  public void echoWhole(Buffer read) {
    VertxInternals.retain(read);
    write(read, true);
  }

  /**
   * Writes through {@link VertxInternals#write}, never {@code NetSocket.write}: a read's echoes are flushed once, when
   * the read completes; anything else at once. {@code consumed}: {@code data} is a read that is not looked at again.
   */
  private void write(Buffer data, boolean consumed) {
    bytesOut += data.length();
    VertxInternals.write(socket, data, !reading(), consumed);
    if (!readingStopped && !VertxInternals.writable(socket)) {
      readingStopped = true;
      socket.pause();
      VertxInternals.stopReading(socket);
    }
  }

  /** The kernel took enough of the echoes ({@link #UNWRITTEN_LOW} or fewer bytes are left): reading resumes. */
  @Override
  public void writable() {
    if (readingStopped) {
      readingStopped = false;
      lastActivity = System.nanoTime();
      VertxInternals.resumeReading(socket);
      socket.resume();
    }
  }

  /**
   * A FIN must still be answered with more than a close: line mode holds an unfinished line to echo. (A FIN that
   * closes at once still runs the end handler first, so the close reason stays {@code client-closed}, during a drain too.)
   */
  @Override
  public boolean holdsInput() {
    return framer != null && framer.holdsUnfinishedLine();
  }

  /** The client will send no more (FIN, or the channel closed): echo an unfinished line as it came, then close. */
  private void handleEnd() {
    if (reason != null) {
      return;
    }
    finishLine();
    closeWith(CloseReason.CLIENT_CLOSED, null);
  }

  /**
   * The instance is about to drain: Vert.x's shutdown of its server will tell this connection (rather than close it),
   * once. Set then, not at accept: an idle connection holds one handler fewer.
   */
  void drainNext() {
    if (reason == null) {
      socket.shutdownHandler(timeout -> handleShutdown());
    }
  }

  /** The server is draining: say so, keep echoing until the client leaves or {@link #endDrain()} runs. */
  private void handleShutdown() {
    draining = true;
    if (shared.lineMode() && reason == null) {
      write(Buffer.buffer("Server shutting down\n"));
    }
  }

  /** The grace period is over: echo what is left and close. */
  void endDrain() {
    if (reason == null) {
      finishLine();
    }
    closeWith(CloseReason.SHUTDOWN, null);
  }

  /** Line mode: echoes an unfinished line as it came. */
  private void finishLine() {
    if (framer != null) {
      framer.finish();
    }
  }

  /**
   * One timer per connection, only when idle timeouts are on. Activity just stamps {@code lastActivity}; when the
   * timer fires it closes the connection if the timeout has passed since then, or re-arms for the time left.
   */
  private void armIdleTimer(long delayMillis) {
    idleTimer = shared.vertx().setTimer(Math.max(1, delayMillis), id -> {
      long idleNanos = System.nanoTime() - lastActivity;
      long timeoutNanos = TimeUnit.SECONDS.toNanos(config().get(IDLE_TIMEOUT_SECONDS));
      if (idleNanos >= timeoutNanos) {
        closeWith(CloseReason.IDLE_TIMEOUT, "ERR idle timeout");
      } else if (reason == null) {
        armIdleTimer(TimeUnit.NANOSECONDS.toMillis(timeoutNanos - idleNanos));
      }
    });
  }

  private void handleError(Throwable failure) {
    if (failure instanceof IOException) {
      log.debug("Connection {} from {}: {}", id(), socket.remoteAddress(), failure.getMessage());
    } else {
      log.warn("Connection {} from {} failed", id(), socket.remoteAddress(), failure);
    }
    closeWith(CloseReason.ERROR, null);
  }

  private void closeWith(CloseReason closeReason, String lineModeMessage) {
    if (reason != null) {
      return;
    }
    reason = closeReason;
    if (lineModeMessage != null && shared.lineMode()) {
      write(Buffer.buffer(lineModeMessage + "\n"));
    }
    // close() starts Vert.x's shutdown sequence, which leaves closing to a shutdown handler when one is set
    socket.shutdownHandler(null);
    if (VertxInternals.isOpen(socket)) {
      socket.close();
    }
  }

  private void handleClosed() {
    if (idleTimer >= 0) {
      shared.vertx().cancelTimer(idleTimer);
    }
    if (reason == null) {
      reason = draining ? CloseReason.SHUTDOWN : CloseReason.CLIENT_CLOSED;
    }
    shared.onClosed().accept(this);
  }

  private EchoConfig config() {
    return shared.config();
  }

  String id() {
    return shared.instanceId() + "-" + number;
  }

  NetSocket socket() {
    return socket;
  }

  long openedAt() {
    return openedAt;
  }

  long bytesIn() {
    return bytesIn;
  }

  long bytesOut() {
    return bytesOut;
  }

  EchoConfig.Mode mode() {
    return config().get(MODE);
  }

  long lines() {
    return framer == null ? 0 : framer.lines();
  }

  CloseReason reason() {
    return reason;
  }
}
