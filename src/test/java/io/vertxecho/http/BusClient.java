package io.vertxecho.http;

import io.vertx.core.json.JsonObject;
import io.vertxecho.EventContract;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import io.vertxecho.events.Events;

import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A client of one of the event-bus bridges, as the tests read it. */
interface BusClient {

  /** The body of the next message on {@code address} whose body matches, skipping the others. */
  JsonObject awaitBody(String address, String what, Predicate<JsonObject> condition) throws Exception;

  /**
   * Opens one echo connection to {@code node} and closes it: the client, registered for connection events, must hear
   * both as the schema says, the connected one while the connection still echoes; {@code whileOpen} runs before it closes.
   */
  default void followOneConnection(TestNode node, Check whileOpen) throws Exception {
    String remote;
    try (Wire client = Wire.connect(node.port())) {
      client.readLine();
      remote = "127.0.0.1:" + client.socket().getLocalPort();
      JsonObject connected = awaitBody(Events.CONNECTIONS, "connected from " + remote, event -> isFrom(event, Events.CONNECTED, remote));
      EventContract.assertValid("connectionEvent", connected);
      EventContract.assertValid("connected", connected);
      client.send("hello\n");
      assertEquals("hello", client.readLine(), "the echo path is untouched");
      whileOpen.run();
    }
    EventContract.assertValid("disconnected", awaitBody(Events.CONNECTIONS, "disconnected from " + remote,
      event -> isFrom(event, Events.DISCONNECTED, remote)));
  }

  /** What a test checks while the connection is open. */
  interface Check {
    void run() throws Exception;
  }

  private static boolean isFrom(JsonObject event, String kind, String remote) {
    return kind.equals(event.getString(Events.EVENT)) && remote.equals(event.getString(Events.REMOTE));
  }
}
