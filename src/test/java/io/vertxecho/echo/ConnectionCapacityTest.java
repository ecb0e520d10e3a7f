package io.vertxecho.echo;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.vertx.core.json.JsonObject;
import io.vertxecho.LogCapture;
import io.vertxecho.TestNode;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.internal.AcceptFailureLogFilter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Never out of file descriptors: the default connection limit and accept() failures in the log")
class ConnectionCapacityTest {

  @Test
  @DisplayName("unless set, maxConnections is the open-file limit minus a reserve of at least 256")
  void defaultLimitFromOpenFiles() {
    assertEquals(20_000 - 1_000, FileDescriptorBudget.connections(20_000));
    assertEquals(1024 - 256, FileDescriptorBudget.connections(1024));
    assertEquals(0, FileDescriptorBudget.connections(-1));
    long limit = FileDescriptorBudget.openFileLimit();
    assertTrue(limit > 0, "this JVM reports its open-file limit");
    ConnectionGate gate = new ConnectionGate(FileDescriptorBudget.connections(limit), 64L << 30);
    assertEquals(FileDescriptorBudget.connections(limit), gate.limit(config(new JsonObject())));
    assertEquals(5, gate.limit(config(new JsonObject().put("maxConnections", 5))));
  }

  @Test
  @DisplayName("the servers hold at most the default connection limit plus a quarter of the reserve, for clients being refused")
  void acceptCeilingFromOpenFiles() {
    assertEquals(19_000 + 250, FileDescriptorBudget.acceptCeiling(20_000));
    assertEquals(1_744 + 64, FileDescriptorBudget.acceptCeiling(2_000));
    assertEquals(Integer.MAX_VALUE, FileDescriptorBudget.acceptCeiling(-1));
  }

  @Test
  @DisplayName("unless set, maxConnections is also at most what 60 % of the heap holds when every client holds all it may")
  void defaultLimitFromTheHeap() {
    EchoConfig line = config(new JsonObject());
    EchoConfig raw = config(new JsonObject().put("mode", "raw"));
    assertEquals(128 * 1024 + 65536, HeapBudget.perConnection(line));
    assertEquals(128 * 1024, HeapBudget.perConnection(raw));
    assertEquals(128 * 1024 + 1000, HeapBudget.perConnection(config(new JsonObject().put("maxLineBytes", 1000))));
    long heap = 256L << 20;
    assertEquals(heap * 60 / 100 / (192 * 1024), HeapBudget.connections(heap, line));
    ConnectionGate gate = new ConnectionGate(19_000, heap);
    assertEquals(819, gate.limit(line));
    assertEquals(1228, gate.limit(raw));
    assertEquals(5_000, gate.limit(config(new JsonObject().put("maxConnections", 5_000))), "a set limit is kept");
    assertEquals(19_000, new ConnectionGate(19_000, 64L << 30).limit(line), "the open files bind first");
    assertEquals(819, new ConnectionGate(0, heap).limit(line), "the heap binds where the open-file limit is unknown");
  }

  private static EchoConfig config(JsonObject settings) {
    return TestNode.loader(settings).load();
  }

  @Test
  @DisplayName("repeated accept() failures become one WARN line without a stack trace; other Netty errors pass")
  void acceptFailuresRateLimited() {
    AcceptFailureLogFilter filter = new AcceptFailureLogFilter();
    filter.setIntervalMillis(60_000);
    try (LogCapture log = LogCapture.behind(filter)) {
      Logger pipeline = log.logger("io.netty.channel.DefaultChannelPipeline");
      for (int i = 0; i < 5; i++) {
        pipeline.warn("An exceptionCaught() event was fired", new IOException("accept(..) failed: Too many open files"));
      }
      pipeline.warn("An exceptionCaught() event was fired", new IllegalStateException("a bug"));
      List<ILoggingEvent> events = log.events();
      assertEquals(1, events.size(), "only the non-I/O failure passes: " + events);
      assertEquals("a bug", events.get(0).getThrowableProxy().getMessage());
    }
  }
}
