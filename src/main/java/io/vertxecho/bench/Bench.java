package io.vertxecho.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertxecho.cli.Cli;
import io.vertxecho.events.Events;
import io.vertxecho.internal.ClientTransport;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The load generator ({@code java -jar vertx-echo.jar bench}): spreads the load over its own event loops,
 * then paces the phases (connect, warm up, measure, drain) from the calling thread, which may block.
 */
public final class Bench {

  public static final int EXIT_OK = Cli.EXIT_OK;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = Cli.EXIT_USAGE;

  private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final BenchOptions options;
  private final PrintStream progress;
  private final BenchStats stats = new BenchStats();
  private final Histogram measured = new Histogram(3);
  private final List<BenchVerticle> shares = new ArrayList<>();
  private boolean measuring;
  private long began;
  private long lastTick;
  private long lastEchoed;
  private long lastCycles;

  /** {@code progress} gets a line a second; null for none. */
  public Bench(BenchOptions options, PrintStream progress) {
    this.options = options;
    this.progress = progress;
  }

  /** Runs the {@code bench} subcommand and returns its exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return Cli.run(new BenchOptions(), args, out, err, options -> report(options, out, err));
  }

  private static int report(BenchOptions options, PrintStream out, PrintStream err) {
    BenchResult result = new Bench(options, options.quiet() ? null : err).run();
    if (result.connected() == 0 && result.connectErrors() > 0) {
      err.println("bench: cannot connect to " + Events.hostPort(options.host(), options.port()));
    }
    out.println(options.json() ? result.toJson().encode() : result.toText());
    return result.ok() ? EXIT_OK : EXIT_FAILED;
  }

  /** Runs the load on a Vert.x of its own and blocks until it is measured; call it from a thread that may block. */
  public BenchResult run() {
    Vertx vertx = ClientTransport.vertx(new VertxOptions().setEventLoopPoolSize(options.eventLoops()).setPreferNativeTransport(true));
    try {
      return measure(vertx);
    } finally {
      vertx.close().await();
    }
  }

  private BenchResult measure(Vertx vertx) {
    began = System.nanoTime();
    lastTick = began;
    long deadline = began + (long) (options.timeoutSeconds() * 1e9);
    Payload payload = new Payload(options.size(), options.lineMode());
    for (int i = 0; i < options.eventLoops(); i++) {
      BenchVerticle share = new BenchVerticle(options, stats, payload, i, options.eventLoops());
      shares.add(share);
      vertx.deployVerticle(share).await();
    }
    Future<?> settled = Future.all(shares.stream().map(BenchVerticle::settled).toList());
    Future<?> finished = Future.all(shares.stream().map(BenchVerticle::finished).toList());
    boolean timedOut = !waitFor(settled, deadline);
    if (!options.countMode()) {
      waitFor(finished, Math.min(deadline, System.nanoTime() + (long) (options.warmupSeconds() * 1e9)));
    }
    long windowStart = options.countMode() ? began : System.nanoTime();
    long echoedAtStart = options.countMode() ? 0 : stats.echoed.sum();
    long cyclesAtStart = options.countMode() ? 0 : stats.cycles.sum();
    if (!options.countMode()) {
      stats.latency.getIntervalHistogram();
    }
    measuring = true;
    long windowEnd = options.countMode() ? deadline : Math.min(deadline, windowStart + (long) (options.durationSeconds() * 1e9));
    timedOut |= !waitFor(finished, windowEnd) && options.countMode();
    long measuredNanos = System.nanoTime() - windowStart;
    long echoed = stats.echoed.sum() - echoedAtStart;
    long cycles = stats.cycles.sum() - cyclesAtStart;
    measured.add(stats.latency.getIntervalHistogram());
    measuring = false;
    shares.forEach(BenchVerticle::stopSending);
    waitFor(finished, System.nanoTime() + (long) (options.drainSeconds() * 1e9));
    return new BenchResult(options.lineMode() ? "line" : "raw", options.churn(), options.connections(),
      stats.connected.sum(), options.pipeline(), options.size(), measuredNanos / 1e9, echoed, cycles,
      stats.connectErrors.sum(), stats.earlyCloses.sum(), stats.socketErrors.sum(), stats.mismatches.sum(),
      stats.unexpectedBytes.sum(), stats.sent.sum() - stats.echoed.sum(), timedOut, measured);
  }

  /** Waits until {@code future} completes (true) or {@code until} passes (false), with a progress line a second. */
  private boolean waitFor(Future<?> future, long until) {
    CompletableFuture<?> completion = future.toCompletionStage().toCompletableFuture();
    while (!completion.isDone()) {
      long now = System.nanoTime();
      if (now - until >= 0) {
        return false;
      }
      if (now - lastTick >= TICK_NANOS) {
        tick(now);
      }
      try {
        completion.get(Math.max(1, Math.min(20, (until - now) / 1_000_000)), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // not done yet (time for a progress line or the deadline), or done with a failure the caller reads
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private void tick(long now) {
    Histogram interval = stats.latency.getIntervalHistogram();
    if (measuring) {
      measured.add(interval);
    }
    double seconds = (now - lastTick) / 1e9;
    long echoed = stats.echoed.sum();
    long cycles = stats.cycles.sum();
    if (progress != null) {
      String rate = options.churn()
        ? String.format(Locale.ROOT, "%,9.0f conn/s", (cycles - lastCycles) / seconds)
        : String.format(Locale.ROOT, "%,10.0f msg/s %8.2f MB/s", (echoed - lastEchoed) / seconds,
          (echoed - lastEchoed) * options.size() / seconds / 1e6);
      long errors = stats.connectErrors.sum() + stats.earlyCloses.sum() + stats.socketErrors.sum() + stats.mismatches.sum();
      progress.println(String.format(Locale.ROOT, "bench %6.1fs %s %,d/%,d connected %s  p99 %.3f ms  errors %d",
        (now - began) / 1e9, measuring ? "measuring" : "starting ", stats.connected.sum(), options.connections(), rate,
        interval.getValueAtPercentile(99) / 1000.0, errors));
    }
    lastTick = now;
    lastEchoed = echoed;
    lastCycles = cycles;
  }
}
