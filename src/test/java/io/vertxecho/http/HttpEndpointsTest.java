package io.vertxecho.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.HttpGet;
import io.vertxecho.TestNode;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.Wire;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;


import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
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
    HttpVerticle alone = new HttpVerticle(EchoConfig.fromJson(new JsonObject().put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))));
    vertx.deployVerticle(alone).await();

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

  @ParameterizedTest(name = "HEAD {0}")
  @ValueSource(strings = {"/stats", "/health", "/ready", "/"})
  @DisplayName("HEAD answers with GET's status and no body, for checkers that want only the status")
  void head(String path, Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject());
    HttpGet http = new HttpGet();
    HttpResponse<String> get = http.get(node.httpPort(), path);
    HttpResponse<String> head = http.head(node.httpPort(), path);
    assertEquals(200, get.statusCode(), get.body());
    assertEquals(get.statusCode(), head.statusCode(), head.body());
    assertEquals("", head.body());
  }

  @Test
  @DisplayName("GET /ready answers 200 READY while the echo instances listen and none of them drains")
  void ready(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject());
    node.awaitNode(n -> n.getJsonArray("instances").size() == 2);
    HttpResponse<String> ready = new HttpGet().get(node.httpPort(), "/ready");
    assertEquals(200, ready.statusCode(), ready.body());
    assertEquals("READY", new JsonObject(ready.body()).getString("status"));
  }

  @Test
  @DisplayName("GET /ready answers 503 draining from the start of an undeploy, while a client is still being served")
  void notReadyWhileDraining(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject().put("shutdownGraceSeconds", 30));
    try (Wire client = Wire.connect(node.port())) {
      assertEquals("Welcome to my server", client.readLine());
      node.stopLater();
      assertEquals("Server shutting down", client.readLine());
      HttpGet http = new HttpGet();
      AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
      await("/ready 503").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
        last.set(http.get(node.httpPort(), "/ready"));
        assertEquals(503, last.get().statusCode(), () -> "last /ready: " + last.get().body());
      });
      HttpResponse<String> ready = last.get();
      assertEquals("draining", new JsonObject(ready.body()).getString("reason"));
      client.send("still echoed\n");
      assertEquals("still echoed", client.readLine());
    }
  }
}
