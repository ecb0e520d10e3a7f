package io.vertxecho.echo;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(VertxExtension.class)
@Timeout(30)
@DisplayName("Idle timeout and the per-node connection limit")
class LimitsTest {

  @Test
  @DisplayName("line mode: an idle connection gets ERR idle timeout, then close")
  void idleTimeoutLineMode(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject().put("idleTimeoutSeconds", 1));
    try (Wire client = Wire.connect(node.port())) {
      client.readLine();
      client.send("still here\n");
      assertEquals("still here", client.readLine());
      assertEquals("ERR idle timeout\n", client.readToEndString());
    }
    node.awaitNode(stats -> TestNode.closed(stats, "idle-timeout") == 1);
  }

  @Test
  @DisplayName("raw mode: an idle connection is closed without a word")
  void idleTimeoutRawMode(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject().put("mode", "raw").put("idleTimeoutSeconds", 1));
    try (Wire client = Wire.connect(node.port())) {
      client.send("x");
      assertEquals("x", client.readToEndString());
    }
    node.awaitNode(stats -> TestNode.closed(stats, "idle-timeout") == 1);
  }

  @Test
  @DisplayName("over maxConnections (across all instances) a client gets ERR server full; open ones are untouched")
  void connectionLimitAcrossInstances(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject().put("maxConnections", 3).put("instances", 3));
    List<Wire> admitted = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Wire client = Wire.connect(node.port());
        admitted.add(client);
        assertEquals("Welcome to my server", client.readLine());
      }
      try (Wire refused = Wire.connect(node.port())) {
        assertEquals("ERR server full\n", refused.readToEndString());
      }
      for (Wire client : admitted) {
        client.send("still served\n");
        assertEquals("still served", client.readLine());
      }
      admitted.remove(0).close();
      node.awaitNode(stats -> stats.getLong("active") == 2);
      try (Wire next = Wire.connect(node.port())) {
        assertEquals("Welcome to my server", next.readLine());
      }
    } finally {
      admitted.forEach(Wire::close);
    }
    JsonObject stats = node.awaitNode(n -> n.getLong("active") == 0);
    assertEquals(1, TestNode.closed(stats, "server-full"));
    assertEquals(4, stats.getLong("accepted"));
  }

  @Test
  @DisplayName("raw mode: over maxConnections a client is closed without a word")
  void connectionLimitRawMode(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject().put("mode", "raw").put("maxConnections", 1));
    try (Wire first = Wire.connect(node.port())) {
      first.send("ok");
      assertEquals("ok", first.readString(2));
      try (Wire refused = Wire.connect(node.port())) {
        assertEquals("", refused.readToEndString());
      }
      first.send("still");
      assertEquals("still", first.readString(5));
    }
    JsonObject stats = node.awaitNode(n -> n.getLong("active") == 0);
    assertEquals(1, TestNode.closed(stats, "server-full"));
    assertEquals(1, TestNode.closed(stats, "client-closed"));
  }

  @Test
  @DisplayName("over maxConnectionsPerIp (across all instances) a client gets ERR too many connections; other addresses and open ones are untouched")
  void perAddressLimit(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject().put("maxConnectionsPerIp", 2).put("instances", 2));
    List<Wire> admitted = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        admitted.add(Wire.connectFrom("127.0.0.1", node.port()));
        assertEquals("Welcome to my server", admitted.get(i).readLine());
      }
      try (Wire refused = Wire.connectFrom("127.0.0.1", node.port())) {
        assertEquals("ERR too many connections from your address\n", refused.readToEndString());
      }
      try (Wire otherHost = Wire.connectFrom("127.0.0.2", node.port())) {
        assertEquals("Welcome to my server", otherHost.readLine());
      }
      for (Wire client : admitted) {
        client.send("still served\n");
        assertEquals("still served", client.readLine());
      }
      admitted.remove(0).close();
      node.awaitNode(stats -> stats.getLong("active") == 1);
      try (Wire next = Wire.connectFrom("127.0.0.1", node.port())) {
        assertEquals("Welcome to my server", next.readLine());
      }
    } finally {
      admitted.forEach(Wire::close);
    }
    JsonObject stats = node.awaitNode(n -> n.getLong("active") == 0);
    assertEquals(1, TestNode.closed(stats, "per-ip-limit"));
  }

  @Test
  @DisplayName("with proxyProtocol on, maxConnectionsPerIp counts the client of the PROXY header, not the proxy")
  void perAddressLimitBehindProxy(Vertx vertx) {
    TestNode node = TestNode.start(vertx, new JsonObject().put("proxyProtocol", true).put("maxConnectionsPerIp", 1));
    try (Wire first = Wire.connect(node.port()); Wire other = Wire.connect(node.port())) {
      first.send("PROXY TCP4 203.0.113.7 192.0.2.1 51000 9999\r\n");
      assertEquals("Welcome to my server", first.readLine());
      try (Wire again = Wire.connect(node.port())) {
        again.send("PROXY TCP4 203.0.113.7 192.0.2.1 51001 9999\r\n");
        assertEquals("ERR too many connections from your address\n", again.readToEndString());
      }
      other.send("PROXY TCP4 203.0.113.8 192.0.2.1 51002 9999\r\n");
      assertEquals("Welcome to my server", other.readLine());
    }
    JsonObject stats = node.awaitNode(n -> n.getLong("active") == 0);
    assertEquals(1, TestNode.closed(stats, "per-ip-limit"));
  }
}
