package io.vertxecho.echo;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.vertxecho.LogCapture;
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
    ConnectionGate gate = new ConnectionGate(FileDescriptorBudget.connections(limit));
    assertEquals(FileDescriptorBudget.connections(limit), gate.limit(0));
    assertEquals(5, gate.limit(5));
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
