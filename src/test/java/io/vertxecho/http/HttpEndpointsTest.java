package io.vertxecho.http;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.HttpGet;
import io.vertxecho.TestNode;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.Wire;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;


import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  @DisplayName("GET /health answers 503 DOWN, with the reason, when the stats verticle does not answer")
  void healthDown(Vertx vertx) {
    HttpVerticle alone = new HttpVerticle();
    JsonObject config = EchoConfig.defaults().copy().put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0));
    vertx.deployVerticle(alone, new DeploymentOptions().setConfig(config)).await();

    HttpResponse<String> health = new HttpGet().get(alone.actualPort(), "/health");

    assertEquals(503, health.statusCode(), health.body());
    JsonObject body = new JsonObject(health.body());
    assertEquals("DOWN", body.getString("status"));
    assertTrue(body.encode().contains("stats unavailable"), body.encodePrettily());
  }

  @Test
  @DisplayName("GET /health answers 200 UP while the echo instances listen")
  void health(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject());
    JsonObject health = new HttpGet().json(node.httpPort(), "/health");
    assertEquals("UP", health.getString("status"));
  }

}
