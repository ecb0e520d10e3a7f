package io.vertxecho.bench;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertxecho.internal.VertxInternals;

import java.util.function.Supplier;

/** One churn slot: connect, one echo, close, and again, until stopped or its cycles are spent. */
final class ChurnLoop {

  private static final long RETRY_MILLIS = 100;

  private final Vertx vertx;
  private final BenchOptions options;
  private final BenchStats stats;
  private final Payload payload;
  private final Supplier<NetClient> clients;
  private final long id;
  private final Runnable onFinished;
  private long cycles;
  private boolean stopping;

  ChurnLoop(Vertx vertx, BenchOptions options, BenchStats stats, Payload payload, Supplier<NetClient> clients,
            long id, Runnable onFinished) {
    this.vertx = vertx;
    this.options = options;
    this.stats = stats;
    this.payload = payload;
    this.clients = clients;
    this.id = id;
    this.onFinished = onFinished;
  }

  void start() {
    next();
  }

  /** The cycle under way completes; no new one starts. */
  void stop() {
    stopping = true;
  }

  private void next() {
    if (stopping || options.countMode() && cycles >= options.messages()) {
      onFinished.run();
      return;
    }
    long cycleStart = System.nanoTime();
    long connectionId = id * 1_000_003 + cycles++;
    BenchConnection connection = new BenchConnection(stats, payload, connectionId, 1, 1, options.greetingLines(), false,
      finished -> cycleDone(finished, cycleStart));
    VertxInternals.connect(vertx, clients.get(), options.port(), options.host(), socket -> {
      stats.connected.increment();
      connection.start(socket);
    }).onFailure(failure -> {
      stats.connectErrors.increment();
      vertx.setTimer(RETRY_MILLIS, timer -> next());
    });
  }

  private void cycleDone(BenchConnection connection, long cycleStart) {
    if (connection.echoed() == 1) {
      stats.recordLatency(cycleStart);
      stats.cycles.increment();
    }
    next();
  }
}
