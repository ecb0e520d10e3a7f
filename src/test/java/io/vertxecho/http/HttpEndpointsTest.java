package io.vertxecho.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.HttpGet;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;


import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(VertxExtension.class)
@Timeout(30)
@DisplayName("HTTP endpoints")
class HttpEndpointsTest {

  @Test
  @DisplayName("GET /stats returns the node and cluster snapshot as JSON")
  void stats(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject().put("instances", 3));
    try (Wire client = Wire.connect(node.port())) {
      client.readLine();
      node.awaitNode(n -> n.getLong("active") == 1);
      JsonObject body = new HttpGet().json(node.httpPort(), "/stats");
      JsonObject self = body.getJsonObject("node");
      assertEquals(1, self.getLong("active"));
      assertEquals(1, self.getLong("accepted"));
      assertEquals(3, self.getJsonArray("instances").size());
      JsonObject cluster = body.getJsonObject("cluster");
      assertEquals(1, cluster.getLong("active"));
      assertEquals(self.getString("id"), cluster.getJsonArray("nodes").getJsonObject(0).getString("id"));
    }
  }

  @Test
  @DisplayName("GET /health answers 200 UP while the echo instances listen")
  void health(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject());
    JsonObject health = new HttpGet().json(node.httpPort(), "/health");
    assertEquals("UP", health.getString("status"));
  }

}
