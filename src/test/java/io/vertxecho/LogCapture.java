package io.vertxecho;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * What a logger writes during a test. Event loops append while the test thread reads: a {@link ListAppender} appends
 * under its own lock ({@code AppenderBase.doAppend} is synchronized), so the test reads a copy taken under the same
 * lock, never the list itself (iterating it during an append throws {@code ConcurrentModificationException}).
 */
public final class LogCapture implements AutoCloseable {

  /** A logger context of the test's own, or null for the application's logging. */
  private final LoggerContext isolated;
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(LoggerContext isolated, Logger logger) {
    this.isolated = isolated;
    this.logger = logger;
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
  }

  /** Starts capturing what the logger {@code name} writes. */
  public static LogCapture of(String name) {
    return new LogCapture(null, (Logger) LoggerFactory.getLogger(name));
  }

  /** Starts capturing what the logger of {@code type} writes. */
  public static LogCapture of(Class<?> type) {
    return of(type.getName());
  }

  /** Everything logged through {@link #logger} in a logger context of its own, whose only turbo filter is {@code filter}. */
  public static LogCapture behind(TurboFilter filter) {
    LoggerContext context = new LoggerContext();
    filter.start();
    context.addTurboFilter(filter);
    return new LogCapture(context, context.getLogger(Logger.ROOT_LOGGER_NAME));
  }

  /** A logger of the context made by {@link #behind}. */
  public Logger logger(String name) {
    return isolated.getLogger(name);
  }

  /** The events so far, oldest first. */
  public List<ILoggingEvent> events() {
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  /** The formatted messages so far, oldest first. */
  public List<String> messages() {
    return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    if (isolated != null) {
      isolated.stop();
    }
  }
}
