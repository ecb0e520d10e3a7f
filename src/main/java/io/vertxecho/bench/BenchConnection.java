package io.vertxecho.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.util.function.Consumer;

/**
 * One bench connection: keeps up to {@code pipeline} messages in flight, checks each echoed byte against
 * the payload, records latency, and counts what goes wrong. Confined to its event loop.
 */
final class BenchConnection {

  private final BenchStats stats;
  private final Payload payload;
  private final long id;
  private final long budget;
  private final int pipeline;
  private final boolean recordLatency;
  private final Consumer<BenchConnection> onFinished;
  private final long[] sentAt;
  private NetSocket socket;
  private int greetingLeft;
  private long sent;
  private long echoed;
  private int offset;
  private int start;
  private boolean intact = true;
  private boolean stopping;
  private boolean finished;

  BenchConnection(BenchStats stats, Payload payload, long id, long budget, int pipeline, int greetingLines,
                  boolean recordLatency, Consumer<BenchConnection> onFinished) {
    this.stats = stats;
    this.payload = payload;
    this.id = id;
    this.budget = budget;
    this.pipeline = pipeline;
    this.greetingLeft = greetingLines;
    this.recordLatency = recordLatency;
    this.onFinished = onFinished;
    this.sentAt = new long[Math.max(1, pipeline)];
  }

  void start(NetSocket socket) {
    this.socket = socket;
    socket.handler(this::handleEcho);
    socket.exceptionHandler(failure -> stats.socketErrors.increment());
    socket.closeHandler(v -> handleClosed());
    sendMore();
  }

  /** No new messages from now on; finishes once those in flight are back. */
  void stop() {
    stopping = true;
    if (socket != null && echoed == sent) {
      finish();
    }
  }

  long echoed() {
    return echoed;
  }

  private void sendMore() {
    while (!stopping && sent < budget && sent - echoed < pipeline) {
      sentAt[(int) (sent % sentAt.length)] = System.nanoTime();
      socket.write(payload.message(id, sent));
      sent++;
      stats.sent.increment();
    }
  }

  private void handleEcho(Buffer data) {
    int length = data.length();
    int i = 0;
    while (greetingLeft > 0 && i < length) {
      if (data.getByte(i++) == '\n') {
        greetingLeft--;
      }
    }
    for (; i < length; i++) {
      if (echoed == sent) {
        stats.unexpectedBytes.add(length - i);
        break;
      }
      if (offset == 0) {
        start = payload.start(id, echoed);
      }
      if (data.getByte(i) != payload.expected(start, offset)) {
        intact = false;
      }
      if (++offset == payload.size()) {
        messageEchoed();
      }
    }
    sendMore();
    if (echoed == sent && (stopping || echoed == budget)) {
      finish();
    }
  }

  private void messageEchoed() {
    if (recordLatency) {
      stats.recordLatency(sentAt[(int) (echoed % sentAt.length)]);
    }
    if (!intact) {
      stats.mismatches.increment();
    }
    stats.echoed.increment();
    echoed++;
    offset = 0;
    intact = true;
  }

  private void finish() {
    if (!finished) {
      finished = true;
      socket.close();
    }
  }

  private void handleClosed() {
    if (!finished) {
      finished = true;
      stats.earlyCloses.increment();
    }
    onFinished.accept(this);
  }
}
