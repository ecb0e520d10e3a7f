package io.vertxecho.bench;

import org.HdrHistogram.Recorder;

import java.util.concurrent.atomic.LongAdder;

/** Counters and the latency recorder shared by all of a run's event loops (adders and a recorder: no locks). */
final class BenchStats {

  final LongAdder connected = new LongAdder();
  final LongAdder connectErrors = new LongAdder();
  final LongAdder earlyCloses = new LongAdder();
  final LongAdder socketErrors = new LongAdder();
  final LongAdder sent = new LongAdder();
  final LongAdder echoed = new LongAdder();
  final LongAdder mismatches = new LongAdder();
  final LongAdder unexpectedBytes = new LongAdder();
  final LongAdder cycles = new LongAdder();
  /** Latency in microseconds: send to echo, or connect to echo in churn mode. */
  final Recorder latency = new Recorder(3);

  void recordLatency(long startNanos) {
    latency.recordValue(Math.max(0, (System.nanoTime() - startNanos) / 1_000));
  }
}
