package io.vertxecho.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns Netty's accept() failure reports into one WARN line every few seconds, without a stack trace.
 * When accept() fails (e.g. "Too many open files") Netty fires the error down the listening channel's
 * pipeline, where no Vert.x handler takes it, so {@code DefaultChannelPipeline} logs it with a stack trace,
 * once a second for as long as it lasts (NIO's {@code NioServerSocketChannel} logs its own variant).
 * Registered as a logback turbo filter in every logback.xml.
 * Waits for: a {@code NetServer} exception handler that receives accept() failures.
 */
public final class AcceptFailureLogFilter extends TurboFilter {

  private static final Set<String> NETTY_LOGGERS = Set.of(
    "io.netty.channel.DefaultChannelPipeline", "io.netty.channel.socket.nio.NioServerSocketChannel");
  private static final org.slf4j.Logger log = LoggerFactory.getLogger("io.vertxecho.accept");

  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong nextReportMillis = new AtomicLong();
  private long intervalMillis = 10_000;

  /** How long at least between two reports (logback sets it from {@code <intervalMillis>}). */
  public void setIntervalMillis(long intervalMillis) {
    this.intervalMillis = intervalMillis;
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable failure) {
    if (failure == null || !NETTY_LOGGERS.contains(logger.getName()) || !(rootCause(failure) instanceof IOException)) {
      return FilterReply.NEUTRAL;
    }
    long count = failures.incrementAndGet();
    long now = System.currentTimeMillis();
    long next = nextReportMillis.get();
    if (now >= next && nextReportMillis.compareAndSet(next, now + intervalMillis)) {
      failures.addAndGet(-count);
      log.warn("Cannot accept new connections: {} ({} time(s) since the last report; reported at most every {} s)",
        rootCause(failure).getMessage(), count, intervalMillis / 1000);
    }
    return FilterReply.DENY;
  }

  private static Throwable rootCause(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }
}
