package io.vertxecho.echo;

import io.vertx.core.json.JsonObject;
import io.vertxecho.HttpGet;
import io.vertxecho.JarProcess;
import io.vertxecho.Wire;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * More clients at once than the node's open files hold, against the built jar under a low open-file limit: the
 * connection limit refuses the excess, and the sockets of the clients being refused must not exhaust the files the
 * rest of the node needs, or accept() fails (EMFILE) and clients are left hanging with no word.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@DisplayName("Overload: more clients than the open files hold")
class OverloadIT {

  /** The node's open-file limit and the clients, scaled down for CI; -Dit.overload.files and -Dit.overload.clients scale up. */
  private static final int FILES = Integer.getInteger("it.overload.files", 2_000);
  private static final int CLIENTS = Integer.getInteger("it.overload.clients", 2_600);
  private static final Pattern LIMIT = Pattern.compile("maxConnections not set: (\\d+) \\(");
  private static final String GREETING = "Welcome to my server";
  private static final String FULL = "ERR server full";

  @Test
  @DisplayName("2,600 clients at once against a process limited to 2,000 files (by default): each client past the limit"
    + " is told 'ERR server full', accept() never fails, and the node's counts match the clients'")
  void excessClientsAreRefusedWithTheirReason() throws Exception {
    try (JarProcess node = JarProcess.startListeningWithOpenFiles(FILES, Map.of("ECHO_CONNECTION_LOG", "OFF"))) {
      Matcher limitLine = LIMIT.matcher(node.output());
      assertTrue(limitLine.find(), node.output());
      int limit = Integer.parseInt(limitLine.group(1));
      List<Wire> clients = new ArrayList<>();
      try {
        // The kernel completes each connection in the listening socket's backlog (4,096 here): all connect at once,
        // whatever the node has accepted so far; then each reads the first line the node sent it.
        for (int i = 0; i < CLIENTS; i++) {
          clients.add(Wire.connect(node.echoPort()));
        }
        Map<String, Integer> answers = new TreeMap<>();
        clients.forEach(client -> answers.merge(firstLine(client), 1, Integer::sum));
        System.out.printf("overload: %d clients against %d files (connection limit %d): %s; the node's log: %d 'Accepting paused'"
          + " lines, %d 'Cannot accept' lines%n", CLIENTS, FILES, limit, answers, count(node.output(), "Accepting paused"),
          count(node.output(), "Cannot accept new connections"));
        assertEquals(Map.of(GREETING, limit, FULL, CLIENTS - limit), answers, node::output);
        assertFalse(node.output().contains("Cannot accept new connections"), node::output);
        assertFalse(node.output().contains("Too many open files"), node::output);

        HttpGet http = new HttpGet();
        JsonObject full = http.json(node.httpPort(), "/stats").getJsonObject("node");
        assertEquals(limit, full.getLong("accepted"), full::encode);
        assertEquals(limit, full.getLong("active"), full::encode);
        assertEquals(CLIENTS - limit, full.getLong("rejected"), full::encode);
        clients.forEach(Wire::close);
        await("every client's close counted").atMost(Duration.ofSeconds(60)).until(
          () -> http.json(node.httpPort(), "/stats").getJsonObject("node"),
          stats -> stats.getLong("active") == 0 && stats.getJsonObject("closed").getLong("client-closed", 0L) == limit
            && stats.getJsonObject("closed").getLong("server-full", 0L) == CLIENTS - limit);
      } finally {
        clients.forEach(Wire::close);
      }
    }
  }

  private static long count(String output, String text) {
    return output.lines().filter(line -> line.contains(text)).count();
  }

  /** The first line the node sent a client, or what happened instead. */
  private static String firstLine(Wire client) {
    try {
      String line = client.readLine();
      return line == null ? "closed without a line" : line;
    } catch (RuntimeException failed) {
      return failed.toString();
    }
  }
}
