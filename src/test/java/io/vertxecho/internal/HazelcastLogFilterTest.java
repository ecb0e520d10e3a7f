package io.vertxecho.internal;

import ch.qos.logback.classic.Logger;
import com.hazelcast.spi.exception.ResponseAlreadySentException;
import io.vertxecho.LogCapture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

@DisplayName("Hazelcast's report of an operation answered twice stays out of the log; its other errors do not")
class HazelcastLogFilterTest {

  @Test
  @DisplayName("ResponseAlreadySentException from a Hazelcast logger is dropped; other Hazelcast errors and the same exception elsewhere pass")
  void dropsOnlyTheDuplicateAnswer() {
    try (LogCapture log = LogCapture.behind(new HazelcastLogFilter())) {
      // what a surviving member logged after a kill -9 of a peer (ComposeClusterIT, node1)
      Logger operation = log.logger("com.hazelcast.map.impl.operation.GetOperation");
      operation.error("[node1]:5701 [vertx-echo] [5.3.8] NormalResponse already responseReceived for callback",
        new ResponseAlreadySentException("NormalResponse already responseReceived for callback"));
      operation.error("partition lost", new IllegalStateException("a real failure"));
      log.logger("io.vertxecho.Other").error("not Hazelcast", new ResponseAlreadySentException("elsewhere"));

      assertEquals(List.of("partition lost", "not Hazelcast"), log.messages());
    }
  }
}
