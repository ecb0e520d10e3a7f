package io.vertxecho;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The messages one logger writes during a test. Event loops append while the test thread reads: a
 * {@link ListAppender} appends under its own lock ({@code AppenderBase.doAppend} is synchronized), so the test reads
 * a copy taken under the same lock, never the list itself (iterating it during an append throws
 * {@code ConcurrentModificationException}).
 */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(String name) {
    logger = (Logger) LoggerFactory.getLogger(name);
    appender.start();
    logger.addAppender(appender);
  }

  /** Starts capturing what the logger {@code name} writes. */
  public static LogCapture of(String name) {
    return new LogCapture(name);
  }

  /** Starts capturing what the logger of {@code type} writes. */
  public static LogCapture of(Class<?> type) {
    return of(type.getName());
  }

  /** The formatted messages so far, oldest first. */
  public List<String> messages() {
    synchronized (appender) {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
  }
}
