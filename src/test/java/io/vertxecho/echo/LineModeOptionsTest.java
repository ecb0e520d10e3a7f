package io.vertxecho.echo;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;


import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(VertxExtension.class)
@Timeout(30)
@DisplayName("Line mode settings: greeting, goodbye, quitCommands, closeOnEmptyLine")
class LineModeOptionsTest {

  @Test
  @DisplayName("custom greeting, goodbye and quit commands replace the defaults")
  void customWords(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject()
      .put("greeting", "hi there").put("goodbye", "see you")
      .put("quitCommands", new JsonArray().add("leave")));
    try (Wire client = Wire.connect(node.port())) {
      client.send("exit\nLEAVE\n");
      assertEquals("hi there\nexit\nsee you\n", client.readToEndString());
    }
  }

  @Test
  @DisplayName("an empty greeting sends nothing on connect")
  void emptyGreeting(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject().put("greeting", ""));
    try (Wire client = Wire.connect(node.port())) {
      client.send("x\n").shutdownOutput();
      assertEquals("x\n", client.readToEndString());
    }
  }

  @Test
  @DisplayName("closeOnEmptyLine: an empty line (\\n or \\r\\n) says goodbye and closes, like the seeds")
  void closeOnEmptyLine(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject().put("closeOnEmptyLine", true));
    try (Wire client = Wire.connect(node.port())) {
      client.readLine();
      client.send("a\n \n\r\nnot echoed\n");
      assertEquals("a\n \nBye\n", client.readToEndString());
    }
    JsonObject stats = node.awaitNode(n -> TestNode.closed(n, "quit") == 1);
    assertEquals(0, stats.getLong("active"));
  }
}
