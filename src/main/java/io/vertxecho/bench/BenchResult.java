package io.vertxecho.bench;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.util.Locale;

/** What a bench run measured and what went wrong; {@link #ok()} is true only if every message came back intact. */
public record BenchResult(
  String mode, boolean churn, int connections, long connected, int pipeline, int size, double seconds,
  long echoed, long cycles, long connectErrors, long earlyCloses, long socketErrors, long mismatches,
  long unexpectedBytes, long lost, boolean timedOut, Histogram latencyMicros) {

  public double messagesPerSecond() {
    return seconds > 0 ? echoed / seconds : 0;
  }

  /** Echoed payload, one direction, in 10^6 bytes per second. */
  public double megabytesPerSecond() {
    return messagesPerSecond() * size / 1e6;
  }

  public double connectionsPerSecond() {
    return seconds > 0 ? cycles / seconds : 0;
  }

  public long errors() {
    return connectErrors + earlyCloses + socketErrors + mismatches + lost + (unexpectedBytes > 0 ? 1 : 0) + (timedOut ? 1 : 0);
  }

  public boolean ok() {
    return errors() == 0 && connected > 0;
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("mode", mode)
      .put("churn", churn)
      .put("connections", connections)
      .put("connected", connected)
      .put("pipeline", pipeline)
      .put("size", size)
      .put("seconds", round(seconds))
      .put("messages", echoed)
      .put("messagesPerSecond", round(messagesPerSecond()))
      .put("megabytesPerSecond", round(megabytesPerSecond()))
      .put("cycles", cycles)
      .put("connectionsPerSecond", round(connectionsPerSecond()))
      .put("connectErrors", connectErrors)
      .put("earlyCloses", earlyCloses)
      .put("socketErrors", socketErrors)
      .put("mismatches", mismatches)
      .put("unexpectedBytes", unexpectedBytes)
      .put("lost", lost)
      .put("timedOut", timedOut)
      .put("latencyMicros", new JsonObject()
        .put("p50", latencyMicros.getValueAtPercentile(50))
        .put("p90", latencyMicros.getValueAtPercentile(90))
        .put("p99", latencyMicros.getValueAtPercentile(99))
        .put("p99.9", latencyMicros.getValueAtPercentile(99.9))
        .put("max", latencyMicros.getMaxValue())
        .put("count", latencyMicros.getTotalCount()))
      .put("ok", ok());
  }

  public String toText() {
    String rate = churn
      ? format("%,.0f connections/s (%,d connect-echo-close cycles)", connectionsPerSecond(), cycles)
      : format("%,.0f messages/s, %,.2f MB/s (%,d messages of %d bytes)", messagesPerSecond(), megabytesPerSecond(), echoed, size);
    return format("""
      bench %s mode%s, %d connections (%d connected), pipeline %d, %.1f s measured
        %s
        latency %s: p50 %s, p90 %s, p99 %s, p99.9 %s, max %s
        connect errors %d, early closes %d, socket errors %d, mismatches %d, unexpected bytes %d, lost %d%s
        result: %s""",
      mode, churn ? " churn" : "", connections, connected, pipeline, seconds, rate,
      churn ? "(connect to close)" : "(send to echo)",
      millis(latencyMicros.getValueAtPercentile(50)), millis(latencyMicros.getValueAtPercentile(90)),
      millis(latencyMicros.getValueAtPercentile(99)), millis(latencyMicros.getValueAtPercentile(99.9)),
      millis(latencyMicros.getMaxValue()), connectErrors, earlyCloses, socketErrors, mismatches, unexpectedBytes, lost,
      timedOut ? ", TIMED OUT" : "", ok() ? "OK, every echoed byte verified" : "FAILED");
  }

  private static String millis(long micros) {
    return format("%.3f ms", micros / 1000.0);
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  private static String format(String pattern, Object... values) {
    return String.format(Locale.ROOT, pattern, values);
  }
}
