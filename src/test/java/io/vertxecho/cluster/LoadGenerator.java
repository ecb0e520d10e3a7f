package io.vertxecho.cluster;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import io.vertxecho.internal.ClientTransport;
import io.vertxecho.internal.VertxInternals;

import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static io.vertxecho.cluster.ComposeProject.await;

/**
 * The load a fault is judged by, with counts of its own: short connections opened at a steady rate (greeting, one
 * echoed line, {@code exit}, {@code Bye}, the server's close) and long-lived sessions that echo a line every few
 * milliseconds, each replaced by a new one when the server ends it. Every connection ends in exactly one
 * {@link Outcome}; a session the server tells {@code Server shutting down} keeps echoing until the server closes it.
 */
final class LoadGenerator implements AutoCloseable {

  static final String GREETING = "Welcome to my server";
  static final String SHUTTING_DOWN = "Server shutting down";
  /** No answer within this is a {@link Outcome#TIMED_OUT}. */
  private static final long DEADLINE_MILLIS = 10_000;
  private static final long SESSION_INTERVAL_MILLIS = 20;
  private static final long TICK_MILLIS = 10;

  /** How a connection ended. */
  enum Outcome {
    /** A short connection that got its greeting, its echo and {@code Bye}, then was closed by the server. */
    COMPLETED,
    /** A session the test ended with {@code exit} and {@code Bye}. */
    ENDED_BY_TEST,
    /** A session the server told {@code Server shutting down} and closed later. */
    ENDED_BY_DRAIN,
    /** The connect failed, or the connection closed before its greeting. */
    FAILED_CONNECT,
    /** A connection reset (ECONNRESET) at any point. */
    RESET,
    /** A line other than the one expected. */
    WRONG_BYTES,
    /** Closed by the server after the greeting, before the exchange ended, without a shutdown notice. */
    DROPPED,
    /** No answer within 10 s. */
    TIMED_OUT
  }

  private final Vertx vertx = ClientTransport.vertx(new VertxOptions().setEventLoopPoolSize(2));
  /** Held for the generator's life: Vert.x closes a NetClient that has become garbage, with its sockets. */
  private final NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5_000));
  private final String host;
  private final int port;
  private final Map<Outcome, LongAdder> shortOutcomes = outcomes();
  private final Map<Outcome, LongAdder> sessionOutcomes = outcomes();
  private final LongAdder echoes = new LongAdder();
  private final LongAdder notices = new LongAdder();
  private final AtomicLong shortestDrainMillis = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong opened = new AtomicLong();
  private final Map<Object, Boolean> open = new ConcurrentHashMap<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private long churnTimer = -1;

  private LoadGenerator(String host, int port) {
    this.host = host;
    this.port = port;
  }

  /** Starts {@code sessions} sessions and {@code perSecond} short connections a second to {@code host:port}. */
  static LoadGenerator start(String host, int port, int sessions, int perSecond) {
    LoadGenerator load = new LoadGenerator(host, port);
    for (int i = 0; i < sessions; i++) {
      load.new Session().connect();
    }
    if (perSecond > 0) {
      double perTick = perSecond * TICK_MILLIS / 1000.0;
      double[] due = {0};
      load.churnTimer = load.vertx.setPeriodic(TICK_MILLIS, id -> {
        for (due[0] += perTick; due[0] >= 1; due[0]--) {
          load.new ShortConnection().connect();
        }
      });
    }
    return load;
  }

  /**
   * Stops opening connections, waits for the short ones under way, then ends every session with {@code exit}; fails
   * if a connection is still open after {@code deadline}.
   */
  void stop(Duration deadline) {
    stopping.set(true);
    vertx.cancelTimer(churnTimer);
    open.keySet().forEach(connection -> {
      if (connection instanceof Session session) {
        session.end();
      }
    });
    await("every load connection ended", deadline, open::size, size -> size == 0);
  }

  /** Connections opened so far, short ones and sessions. */
  long opened() {
    return opened.get();
  }

  Map<Outcome, Long> shortOutcomes() {
    return snapshot(shortOutcomes);
  }

  Map<Outcome, Long> sessionOutcomes() {
    return snapshot(sessionOutcomes);
  }

  /** Lines echoed back exactly, by short connections and sessions. */
  long echoes() {
    return echoes.sum();
  }

  /** {@code Server shutting down} lines received. */
  long notices() {
    return notices.sum();
  }

  /** The shortest time between a session's shutdown notice and the server's close, or -1 if none was closed so. */
  long shortestDrainMillis() {
    long shortest = shortestDrainMillis.get();
    return shortest == Long.MAX_VALUE ? -1 : shortest;
  }

  /** Every outcome but the expected ones, by kind of connection: empty when nothing failed. */
  Map<String, Long> failures() {
    Map<String, Long> failures = new TreeMap<>();
    shortOutcomes().forEach((outcome, count) -> {
      if (outcome != Outcome.COMPLETED && count > 0) {
        failures.put("short " + outcome, count);
      }
    });
    sessionOutcomes().forEach((outcome, count) -> {
      if (outcome != Outcome.ENDED_BY_TEST && outcome != Outcome.ENDED_BY_DRAIN && count > 0) {
        failures.put("session " + outcome, count);
      }
    });
    return failures;
  }

  @Override
  public String toString() {
    return "opened " + opened() + ", short " + shortOutcomes() + ", sessions " + sessionOutcomes() + ", echoes " + echoes()
      + ", notices " + notices() + ", shortest drain " + shortestDrainMillis() + " ms";
  }

  @Override
  public void close() {
    stopping.set(true);
    try {
      vertx.close().await(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("the load generator's Vert.x did not close within 30 s", e);
    }
  }

  private static Map<Outcome, LongAdder> outcomes() {
    Map<Outcome, LongAdder> counts = new EnumMap<>(Outcome.class);
    for (Outcome outcome : Outcome.values()) {
      counts.put(outcome, new LongAdder());
    }
    return counts;
  }

  private static Map<Outcome, Long> snapshot(Map<Outcome, LongAdder> counts) {
    Map<Outcome, Long> snapshot = new EnumMap<>(Outcome.class);
    counts.forEach((outcome, count) -> snapshot.put(outcome, count.sum()));
    return snapshot;
  }

  /** What one connection does: its lines, and how it ends. Confined to its socket's event loop. */
  private abstract class Connection {
    NetSocket socket;
    Context context;
    boolean greeted;
    boolean ended;
    long deadlineTimer = -1;

    void connect() {
      opened.incrementAndGet();
      open.put(this, true);
      VertxInternals.connect(vertx, client, port, host, this::attach).onFailure(failure -> end(Outcome.FAILED_CONNECT));
    }

    private void attach(NetSocket connected) {
      socket = connected;
      context = Vertx.currentContext();
      socket.handler(RecordParser.newDelimited("\n", line -> handleLine(line.toString())));
      socket.exceptionHandler(failure -> end(isReset(failure) ? Outcome.RESET : Outcome.DROPPED));
      socket.closeHandler(closed -> handleClose());
      armDeadline();
    }

    void armDeadline() {
      if (deadlineTimer >= 0) {
        vertx.cancelTimer(deadlineTimer);
      }
      deadlineTimer = vertx.setTimer(DEADLINE_MILLIS, id -> end(Outcome.TIMED_OUT));
    }

    void send(String line) {
      socket.write(Buffer.buffer(line + "\n"));
    }

    /** Ends the connection once, with {@code outcome}; closes the socket if it is still open. */
    void end(Outcome outcome) {
      if (ended) {
        return;
      }
      ended = true;
      if (deadlineTimer >= 0) {
        vertx.cancelTimer(deadlineTimer);
      }
      counts().get(outcome).increment();
      open.remove(this);
      if (socket != null) {
        socket.close();
      }
      ended(outcome);
    }

    abstract Map<Outcome, LongAdder> counts();

    abstract void handleLine(String line);

    abstract void handleClose();

    void ended(Outcome outcome) {
    }
  }

  /** Greeting, one echoed line, exit, Bye, close. */
  private final class ShortConnection extends Connection {
    private final String line = "short " + opened.get();
    private boolean bye;

    @Override
    Map<Outcome, LongAdder> counts() {
      return shortOutcomes;
    }

    @Override
    void handleLine(String received) {
      armDeadline();
      if (SHUTTING_DOWN.equals(received)) {
        notices.increment();
      } else if (!greeted && GREETING.equals(received)) {
        greeted = true;
        send(line);
      } else if (greeted && !bye && line.equals(received)) {
        echoes.increment();
        send("exit");
      } else if (greeted && "Bye".equals(received)) {
        bye = true;
      } else {
        end(Outcome.WRONG_BYTES);
      }
    }

    @Override
    void handleClose() {
      end(bye ? Outcome.COMPLETED : greeted ? Outcome.DROPPED : Outcome.FAILED_CONNECT);
    }
  }

  /** Echoes a numbered line every {@link #SESSION_INTERVAL_MILLIS}, one at a time, until the server or the test ends it. */
  private final class Session extends Connection {
    private long sequence;
    private String expected;
    private long noticedAt = -1;
    private boolean exiting;

    @Override
    Map<Outcome, LongAdder> counts() {
      return sessionOutcomes;
    }

    @Override
    void handleLine(String received) {
      armDeadline();
      if (SHUTTING_DOWN.equals(received) && noticedAt < 0) {
        notices.increment();
        noticedAt = System.nanoTime();
      } else if (!greeted && GREETING.equals(received)) {
        greeted = true;
        if (stopping.get()) {
          exit();
        } else {
          next();
        }
      } else if (exiting && "Bye".equals(received)) {
        end(Outcome.ENDED_BY_TEST);
      } else if (greeted && received.equals(expected)) {
        echoes.increment();
        expected = null;
        if (!exiting) {
          vertx.setTimer(SESSION_INTERVAL_MILLIS, id -> next());
        }
      } else {
        end(Outcome.WRONG_BYTES);
      }
    }

    private void next() {
      if (!ended && !exiting) {
        expected = "session " + hashCode() + " line " + sequence++;
        send(expected);
      }
    }

    /** The test ends the session: exit, then Bye and the server's close; one not yet greeted exits when it is. */
    void end() {
      if (context != null) {
        context.runOnContext(v -> {
          if (!ended && greeted && !exiting) {
            exit();
          }
        });
      }
    }

    private void exit() {
      exiting = true;
      send("exit");
    }

    @Override
    void handleClose() {
      if (noticedAt >= 0) {
        shortestDrainMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - noticedAt), Math::min);
        end(Outcome.ENDED_BY_DRAIN);
      } else {
        end(greeted ? Outcome.DROPPED : Outcome.FAILED_CONNECT);
      }
    }

    @Override
    void ended(Outcome outcome) {
      if (!stopping.get()) {
        new Session().connect();
      }
    }
  }

  private static boolean isReset(Throwable failure) {
    return failure instanceof IOException && String.valueOf(failure.getMessage()).contains("reset");
  }
}
