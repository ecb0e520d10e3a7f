package io.vertxecho.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import com.hazelcast.spi.exception.ResponseAlreadySentException;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Keeps Hazelcast's report of an operation answered twice out of the log. When a member dies, a surviving member may
 * run an operation of an invocation that is being retried a second time (seen on the event bus's subscription map,
 * a {@code GetOperation}, after a {@code kill -9}); the caller has taken the first answer, and Hazelcast catches the
 * second as {@code ResponseAlreadySentException} and only logs it, at ERROR with a stack trace. The membership log
 * already says that the member died. Registered as a logback turbo filter in every logback.xml; with
 * {@code ECHO_LOG_LEVEL=DEBUG} each one is one line.
 * Waits for: Hazelcast not reporting a retried operation's second answer as an error.
 */
public final class HazelcastLogFilter extends TurboFilter {

  private static final org.slf4j.Logger log = LoggerFactory.getLogger(HazelcastLogFilter.class);

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable failure) {
    if (failure instanceof ResponseAlreadySentException && logger.getName().startsWith("com.hazelcast.")) {
      log.debug("Hazelcast dropped a second answer to an operation ({})", logger.getName());
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
