package io.vertxecho.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the sockets a node's servers hold under a ceiling below the open-file limit, so that accept() never fails
 * with "Too many open files": it counts each socket a listening channel accepts until the socket closes, and while the
 * count is at the ceiling the listening channels stop accepting (Netty's auto-read off); clients wait in the kernel's
 * backlog meanwhile and are accepted as sockets close. A client the connection limit refuses holds a socket until it
 * is told why and closed, and in a flood those sockets pile up faster than they close: without the ceiling they took
 * the descriptors the rest of the node needs. One per node, shared by all its listening channels.
 * Waits for: a NetServer option that bounds the sockets accepted and not yet closed.
 */
final class AcceptCeiling {

  private static final Logger log = LoggerFactory.getLogger("io.vertxecho.accept");
  private static final long REPORT_INTERVAL_MILLIS = 10_000;

  private final int ceiling;
  private final AtomicInteger open = new AtomicInteger();
  private final Set<Channel> paused = ConcurrentHashMap.newKeySet();
  private final AtomicLong pauses = new AtomicLong();
  private final AtomicLong nextReportMillis = new AtomicLong();
  /** One listener for every socket's close: a lambda made per socket would stay with each idle connection. */
  private final ChannelFutureListener onSocketClosed = closed -> released();

  /** @param ceiling the sockets all listening channels together may hold at once (at least 1) */
  AcceptCeiling(int ceiling) {
    this.ceiling = Math.max(1, ceiling);
  }

  /** {@code socket} was just accepted by {@code listening}; called on the listening channel's event loop. */
  void accepted(Channel listening, Channel socket) {
    socket.closeFuture().addListener(onSocketClosed);
    if (open.incrementAndGet() >= ceiling) {
      pause(listening);
    }
  }

  /** The sockets accepted and not yet closed. */
  int open() {
    return open.get();
  }

  /** Auto-read off before the channel is listed, so that a resume never misses it; then a socket that closed meanwhile resumes it. */
  private void pause(Channel listening) {
    listening.config().setAutoRead(false);
    paused.add(listening);
    report();
    if (open.get() < ceiling) {
      resume();
    }
  }

  private void released() {
    if (open.decrementAndGet() < ceiling && !paused.isEmpty()) {
      resume();
    }
  }

  private void resume() {
    for (Channel listening : paused) {
      if (paused.remove(listening)) {
        listening.config().setAutoRead(true);
      }
    }
  }

  /** One line at most every 10 s: a flood pauses accepting once per accepted socket past the ceiling. */
  private void report() {
    long count = pauses.incrementAndGet();
    long now = System.currentTimeMillis();
    long next = nextReportMillis.get();
    if (now >= next && nextReportMillis.compareAndSet(next, now + REPORT_INTERVAL_MILLIS)) {
      pauses.addAndGet(-count);
      log.warn("Accepting paused: {} sockets open, the most the open-file limit leaves room for; new clients wait in the "
        + "backlog until sockets close ({} pause(s) since the last report; reported at most every {} s)", open.get(), count,
        REPORT_INTERVAL_MILLIS / 1000);
    }
  }
}
