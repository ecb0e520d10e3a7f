package io.vertxecho.echo;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.internal.VertxInternals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One client's state and protocol: frames its bytes by mode, echoes them with backpressure, and records
 * why it closed. Confined to its instance's event loop, so plain fields suffice.
 */
final class EchoConnection {

  private static final Logger log = LoggerFactory.getLogger(EchoConnection.class);

  private final Vertx vertx;
  private final NetSocket socket;
  private final EchoConfig config;
  private final String instanceId;
  private final long number;
  private final int longestCommand;
  private final Consumer<EchoConnection> onClosed;
  private final long openedAt = System.currentTimeMillis();
  private long lastActivity = System.nanoTime();
  private long idleTimer = -1;
  private long bytesIn;
  private long bytesOut;
  private long lines;
  private Buffer partialLine;
  private boolean draining;
  private CloseReason reason;

  /** The connection's id, {@code instanceId-number}, is built when asked for: idle connections do not hold it. */
  EchoConnection(Vertx vertx, NetSocket socket, EchoConfig config, String instanceId, long number, Consumer<EchoConnection> onClosed) {
    this.vertx = vertx;
    this.socket = socket;
    this.config = config;
    this.instanceId = instanceId;
    this.number = number;
    this.onClosed = onClosed;
    this.longestCommand = config.quitCommands().stream()
      .mapToInt(command -> command.getBytes(StandardCharsets.UTF_8).length).max().orElse(0);
  }

  void start() {
    VertxInternals.enableHalfClose(socket);
    socket.handler(config.mode() == EchoConfig.Mode.LINE ? this::handleLines : this::handleRaw);
    socket.endHandler(v -> handleEnd());
    socket.exceptionHandler(this::handleError);
    socket.shutdownHandler(v -> handleShutdown());
    socket.closeHandler(v -> handleClosed());
    if (!config.greeting().isEmpty()) {
      write(Buffer.buffer(config.greeting() + "\n"));
    }
    if (config.idleTimeoutSeconds() > 0) {
      armIdleTimer(TimeUnit.SECONDS.toMillis(config.idleTimeoutSeconds()));
    }
  }

  private void handleRaw(Buffer data) {
    lastActivity = System.nanoTime();
    bytesIn += data.length();
    write(data);
  }

  private void handleLines(Buffer data) {
    lastActivity = System.nanoTime();
    bytesIn += data.length();
    if (reason != null) {
      return;
    }
    Buffer input = partialLine == null ? data : partialLine.appendBuffer(data);
    partialLine = null;
    int length = input.length();
    int lineStart = 0;
    for (int newline = indexOfNewline(input, 0); newline >= 0; newline = indexOfNewline(input, lineStart)) {
      int end = newline > lineStart && input.getByte(newline - 1) == '\r' ? newline - 1 : newline;
      if (end - lineStart > config.maxLineBytes()) {
        echo(input, lineStart, length);
        lineTooLong();
        return;
      }
      if (isQuit(input, lineStart, end)) {
        echo(input, lineStart, length);
        closeWith(CloseReason.QUIT, config.goodbye());
        return;
      }
      lines++;
      lineStart = newline + 1;
    }
    echo(input, lineStart, length);
    int rest = length - lineStart;
    if (rest > config.maxLineBytes() + 1 || rest == config.maxLineBytes() + 1 && input.getByte(length - 1) != '\r') {
      lineTooLong();
    } else if (rest > 0) {
      partialLine = input.getBuffer(lineStart, length);
    }
  }

  /** Echoes the complete lines of {@code input} that end before {@code upTo}; {@code length} is the input's. */
  private void echo(Buffer input, int upTo, int length) {
    if (upTo == length) {
      write(input);
    } else if (upTo > 0) {
      write(input.slice(0, upTo));
    }
  }

  private static int indexOfNewline(Buffer buffer, int from) {
    for (int i = from, n = buffer.length(); i < n; i++) {
      if (buffer.getByte(i) == '\n') {
        return i;
      }
    }
    return -1;
  }

  private boolean isQuit(Buffer line, int start, int end) {
    if (start == end) {
      return config.closeOnEmptyLine();
    }
    while (start < end && (line.getByte(start) & 0xff) <= ' ') {
      start++;
    }
    while (end > start && (line.getByte(end - 1) & 0xff) <= ' ') {
      end--;
    }
    if (end - start == 0 || end - start > longestCommand) {
      return false;
    }
    String text = line.getString(start, end, "UTF-8").toLowerCase(Locale.ROOT);
    return config.quitCommands().contains(text);
  }

  private void lineTooLong() {
    closeWith(CloseReason.LINE_TOO_LONG, "ERR line too long (limit " + config.maxLineBytes() + " bytes)");
  }

  private void write(Buffer data) {
    bytesOut += data.length();
    socket.write(data);
    if (socket.writeQueueFull()) {
      socket.pause();
      socket.drainHandler(v -> handleDrain());
    }
  }

  private void handleDrain() {
    lastActivity = System.nanoTime();
    socket.resume();
  }

  /** The client will send no more (FIN, or the channel closed): echo an unfinished line as it came, then close. */
  private void handleEnd() {
    if (reason != null) {
      return;
    }
    if (partialLine != null) {
      lines++;
      write(partialLine);
      partialLine = null;
    }
    closeWith(CloseReason.CLIENT_CLOSED, null);
  }

  /** The server is draining: say so, keep echoing until the client leaves or {@link #endDrain()} runs. */
  private void handleShutdown() {
    draining = true;
    if (config.mode() == EchoConfig.Mode.LINE && reason == null) {
      write(Buffer.buffer("Server shutting down\n"));
    }
  }

  /** The grace period is over: echo what is left and close. */
  void endDrain() {
    if (reason == null && partialLine != null) {
      lines++;
      write(partialLine);
      partialLine = null;
    }
    closeWith(CloseReason.SHUTDOWN, null);
  }

  /**
   * One timer per connection, only when idle timeouts are on. Activity just stamps {@code lastActivity}; when the
   * timer fires it closes the connection if the timeout has passed since then, or re-arms for the time left.
   */
  private void armIdleTimer(long delayMillis) {
    idleTimer = vertx.setTimer(Math.max(1, delayMillis), id -> {
      long idleNanos = System.nanoTime() - lastActivity;
      long timeoutNanos = TimeUnit.SECONDS.toNanos(config.idleTimeoutSeconds());
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
    if (lineModeMessage != null && config.mode() == EchoConfig.Mode.LINE) {
      write(Buffer.buffer(lineModeMessage + "\n"));
    }
    socket.close();
  }

  private void handleClosed() {
    if (idleTimer >= 0) {
      vertx.cancelTimer(idleTimer);
    }
    if (reason == null) {
      reason = draining ? CloseReason.SHUTDOWN : CloseReason.CLIENT_CLOSED;
    }
    onClosed.accept(this);
  }

  String id() {
    return instanceId + "-" + number;
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
    return config.mode();
  }

  long lines() {
    return lines;
  }

  CloseReason reason() {
    return reason;
  }
}
