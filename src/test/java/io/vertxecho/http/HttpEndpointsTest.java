package io.vertxecho.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
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
@DisplayName("HTTP endpoints")
class HttpEndpointsTest {

  @Test
  @DisplayName("GET /stats returns the node and cluster snapshot as JSON")
  void stats(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject().put("instances", 3));
    try (Wire client = Wire.connect(node.port())) {
      client.readLine();
      node.awaitNode(n -> n.getLong("active") == 1);
      JsonObject body = get(vertx, node.httpPort(), "/stats", 200).toJsonObject();
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
    JsonObject health = get(vertx, node.httpPort(), "/health", 200).toJsonObject();
    assertEquals("UP", health.getString("status"));
  }

  @Test
  @DisplayName("GET /ready answers 200 READY while the echo instances listen and none of them drains")
  void ready(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject());
    node.awaitNode(n -> n.getJsonArray("instances").size() == 2);
    JsonObject ready = get(vertx, node.httpPort(), "/ready", 200).toJsonObject();
    assertEquals("READY", ready.getString("status"));
    assertEquals(2, ready.getLong("instances"));
  }

  static Buffer get(Vertx vertx, int port, String path, int expectedStatus) {
    HttpClient http = vertx.createHttpClient();
    return http.request(HttpMethod.GET, port, "127.0.0.1", path)
      .compose(request -> request.send())
      .compose(response -> {
        assertEquals(expectedStatus, response.statusCode());
        return response.body();
      })
      .await();
  }
}
