package io.vertxecho.verticles;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.EventContract;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import io.vertxecho.events.Events;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The example user verticles, deployed by config on a real node and fed by real connections. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@DisplayName("Example user verticles")
class ExampleVerticlesTest {

  static final String RECONNECT_ALERTS = "conf/verticles/reconnect-alerts.groovy";
  /** The Kotlin example, built by Maven into this folder's jar before the tests run. */
  static final String TOP_TALKERS = "example.toptalkers.TopTalkers";
  static final String EXAMPLE_JARS = "target/verticles";

  @Test
  @DisplayName("reconnect-alerts.groovy alerts once on echo.alerts when an address connects more than maxConnects times in the window")
  void reconnectAlerts(Vertx vertx) throws Exception {
    TestNode node = TestNode.start(vertx, new JsonObject().put("verticles", new JsonArray().add(new JsonObject()
      .put("name", RECONNECT_ALERTS).put("config", new JsonObject().put("maxConnects", 3).put("windowSeconds", 60)))));
    BlockingQueue<JsonObject> alerts = new LinkedBlockingQueue<>();
    vertx.eventBus().<JsonObject>consumer(Events.ALERTS, message -> alerts.add(message.body())).completion().await();
    for (int i = 1; i <= 5; i++) {
      try (Wire client = Wire.connect(node.port())) {
        client.readLine();
      }
      int connects = i;
      node.awaitNode(stats -> stats.getLong(Events.ACCEPTED) == connects);
      if (i <= 3) {
        assertNull(alerts.poll(), "no alert at " + i + " connects");
      }
    }
    JsonObject alert = alerts.poll(30, TimeUnit.SECONDS);
    assertNotNull(alert, "an alert after the 4th connect");
    EventContract.assertValid("alert", alert);
    assertEquals(List.of("127.0.0.1", 4, 3, 60), List.of(alert.getString("client"), alert.getInteger("connects"),
      alert.getInteger("maxConnects"), alert.getInteger("windowSeconds")));
    assertNull(alerts.poll(), "one alert per address per window, not one per connect");
  }

  @Test
  @DisplayName("the Kotlin TopTalkers (a CoroutineVerticle from a jar) publishes the addresses with the most bytes and the most connections")
  void topTalkers(Vertx vertx) throws Exception {
    TestNode node = TestNode.start(vertx, new JsonObject().put("verticleJars", EXAMPLE_JARS).put("verticles", new JsonArray()
      .add(new JsonObject().put("name", TOP_TALKERS).put("config", new JsonObject().put("periodSeconds", 1).put("top", 3)))));
    for (int i = 0; i < 3; i++) {
      try (Wire client = Wire.connect(node.port())) {
        client.readLine();
      }
    }
    try (Wire talker = Wire.connectFrom("127.0.0.2", node.port())) {
      talker.readLine();
      String line = "x".repeat(10_000);
      talker.send(line + "\n");
      assertEquals(line, talker.readLine());
    }
    node.awaitNode(stats -> stats.getLong(Events.ACCEPTED) == 4 && stats.getLong(Events.ACTIVE) == 0);
    BlockingQueue<JsonObject> published = new LinkedBlockingQueue<>();
    vertx.eventBus().<JsonObject>consumer(Events.TOP_TALKERS, message -> published.add(message.body())).completion().await();
    JsonObject top = published.poll(30, TimeUnit.SECONDS);
    assertNotNull(top, "a top-talkers message within 30 s (one a second)");
    EventContract.assertValid("topTalkers", top);
    assertEquals(new JsonObject().put("client", "127.0.0.1").put("connections", 3), top.getJsonArray("byConnections").getJsonObject(0));
    assertEquals("127.0.0.2", top.getJsonArray("byBytes").getJsonObject(0).getString("client"));
    assertEquals(true, top.getJsonArray("byBytes").getJsonObject(0).getLong("bytes") > 20_000, top.encode());
    assertEquals(Events.RUNNING, node.stats().getJsonObject(Events.NODE).getJsonArray(Events.VERTICLES_FIELD).getJsonObject(0).getString(Events.STATE));
  }
}
