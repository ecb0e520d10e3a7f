package io.vertxecho.echo;

import io.vertx.core.json.JsonObject;
import io.vertxecho.EventContract;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

/** The close reasons the code can give and the ones the event contract lists stay the same set. */
class CloseReasonTest {

  @Test
  @DisplayName("every close reason is one the event contract (docs/events.schema.json) allows")
  void everyReasonIsInTheContract() {
    JsonObject closed = new JsonObject();
    Arrays.stream(CloseReason.values()).forEach(reason -> closed.put(reason.key(), 1));
    EventContract.assertValid("closedByReason", closed);
  }
}
