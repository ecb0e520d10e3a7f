package io.vertxecho.echo;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import io.vertxecho.TestNode;
import io.vertxecho.internal.VertxInternals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Line-mode clients that keep talking: each sends a numbered line, checks its echo, waits a little and
 * sends the next. Counts what a user would notice: refused connects, wrong echoes, connections cut
 * without the shutdown notice, and connections drained after it (each replaced by a new one).
 */
final class LiveTraffic {

  final AtomicLong echoes = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  final AtomicLong corrupted = new AtomicLong();
  final AtomicLong cut = new AtomicLong();
  final AtomicLong drained = new AtomicLong();
  private final Vertx vertx;
  private final NetClient client;
  private final int port;
  private volatile boolean running = true;

  LiveTraffic(Vertx vertx, int port) {
    this.vertx = vertx;
    this.port = port;
    this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000));
  }

  void start(int connections) {
    for (int i = 0; i < connections; i++) {
      open(i);
    }
  }

  /** Waits until {@code more} echoes have come back from now on; fails after 30 s with the counts. */
  void awaitProgress(long more) {
    long target = echoes.get() + more;
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
      .untilAsserted(() -> assertTrue(echoes.get() >= target, () -> "waiting for " + target + " echoes: " + this));
  }

  void stop() {
    running = false;
  }

  @Override
  public String toString() {
    return "echoes=" + echoes + " refused=" + refused + " corrupted=" + corrupted + " cut=" + cut + " drained=" + drained;
  }

  private void open(int id) {
    VertxInternals.connect(vertx, client, port, "127.0.0.1", socket -> new Conversation(id, socket).start())
      .onFailure(failure -> {
        if (running) {
          refused.incrementAndGet();
        }
      });
  }

  /** One client connection's state. */
  private final class Conversation {
    private final int id;
    private final NetSocket socket;
    private boolean greeted;
    private boolean notified;
    private long sequence;
    private String expected;

    Conversation(int id, NetSocket socket) {
      this.id = id;
      this.socket = socket;
    }

    void start() {
      socket.handler(RecordParser.newDelimited("\n", this::handleLine));
      socket.closeHandler(v -> handleClose());
    }

    private void handleLine(Buffer line) {
      String text = line.toString();
      if (!greeted) {
        greeted = true;
        sendNext();
      } else if (text.equals("Server shutting down")) {
        notified = true;
      } else if (text.equals(expected)) {
        echoes.incrementAndGet();
        vertx.setTimer(20, timer -> sendNext());
      } else {
        corrupted.incrementAndGet();
      }
    }

    private void sendNext() {
      if (!running) {
        socket.close();
        return;
      }
      expected = "client " + id + " line " + (++sequence);
      socket.write(expected + "\n");
    }

    private void handleClose() {
      if (!running) {
        return;
      }
      (notified ? drained : cut).incrementAndGet();
      open(id);
    }
  }
}
