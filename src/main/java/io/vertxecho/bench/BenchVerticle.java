package io.vertxecho.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertxecho.internal.VertxInternals;

import java.util.ArrayList;
import java.util.List;

/**
 * One event loop's share of the load: its own NetClients (one per source address), its ramp-up, and its
 * connections or churn loops. Deployed once per client event loop.
 */
final class BenchVerticle extends VerticleBase {

  private static final long RAMP_TICK_MILLIS = 10;

  private final BenchOptions options;
  private final BenchStats stats;
  private final Payload payload;
  private final int index;
  private final int workers;
  private final int share;
  private final List<NetClient> clients = new ArrayList<>();
  private final List<BenchConnection> connections = new ArrayList<>();
  private final List<ChurnLoop> loops = new ArrayList<>();
  private final Promise<Void> allSettled = Promise.promise();
  private final Promise<Void> allFinished = Promise.promise();
  private int started;
  private int settled;
  private int finished;
  private int nextClient;
  private boolean stopping;

  BenchVerticle(BenchOptions options, BenchStats stats, Payload payload, int index, int workers) {
    this.options = options;
    this.stats = stats;
    this.payload = payload;
    this.index = index;
    this.workers = workers;
    this.share = options.connections() / workers + (index < options.connections() % workers ? 1 : 0);
  }

  @Override
  public Future<?> start() {
    NetClientOptions base = new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(10_000);
    if (options.sources().isEmpty()) {
      clients.add(vertx.createNetClient(base));
    }
    options.sources().forEach(address -> clients.add(vertx.createNetClient(new NetClientOptions(base).setLocalAddress(address))));
    if (share == 0) {
      allSettled.complete();
      allFinished.complete();
    } else if (options.churn()) {
      allSettled.complete();
      for (int i = 0; i < share; i++) {
        ChurnLoop loop = new ChurnLoop(vertx, options, stats, payload, this::nextClient, index + (long) workers * i, this::loopFinished);
        loops.add(loop);
        loop.start();
      }
    } else if (options.rate() == 0) {
      while (started < share) {
        open();
      }
    } else {
      long began = System.nanoTime();
      vertx.setPeriodic(RAMP_TICK_MILLIS, timer -> ramp(timer, began));
    }
    return Future.succeededFuture();
  }

  /** Completes once every connection of this share is open or has failed to open. */
  Future<Void> settled() {
    return allSettled.future();
  }

  /** Completes once every connection (or churn loop) of this share is done. */
  Future<Void> finished() {
    return allFinished.future();
  }

  /** Callable from any thread: no new messages; connections finish once their echoes are back. */
  void stopSending() {
    context.runOnContext(v -> {
      stopping = true;
      connections.forEach(BenchConnection::stop);
      loops.forEach(ChurnLoop::stop);
    });
  }

  private void ramp(long timer, long began) {
    double perWorker = options.rate() / workers;
    long due = Math.min(share, (long) Math.ceil((System.nanoTime() - began) / 1e9 * perWorker));
    while (started < due) {
      open();
    }
    if (started == share) {
      vertx.cancelTimer(timer);
    }
  }

  private void open() {
    long id = index + (long) workers * started++;
    long budget = options.countMode() ? options.messages() : Long.MAX_VALUE;
    BenchConnection connection = new BenchConnection(stats, payload, id, budget, options.pipeline(),
      options.greetingLines(), true, this::connectionFinished);
    VertxInternals.connect(vertx, nextClient(), options.port(), options.host(), socket -> {
      stats.connected.increment();
      connections.add(connection);
      connection.start(socket);
      if (stopping) {
        connection.stop();
      }
    }).onComplete(opened -> {
      if (opened.failed()) {
        stats.connectErrors.increment();
        finished++;
      }
      if (++settled == share) {
        allSettled.complete();
      }
      checkFinished();
    });
  }

  private NetClient nextClient() {
    nextClient = (nextClient + 1) % clients.size();
    return clients.get(nextClient);
  }

  private void connectionFinished(BenchConnection connection) {
    finished++;
    checkFinished();
  }

  private void loopFinished() {
    finished++;
    checkFinished();
  }

  private void checkFinished() {
    if (finished == share) {
      allFinished.tryComplete();
    }
  }
}
