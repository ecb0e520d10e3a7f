package io.vertxecho;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Blocking GETs (and HEADs) with the JDK's HTTP client, for tests. Not Vert.x's client on purpose: called from a test thread,
 * its response future completes through a task queued on another context, and a body that arrives before that
 * task runs is dropped, so the request hangs (seen in ClusterStatsTest: response head 200, body never).
 * Every request is bounded by a timeout.
 */
public final class HttpGet {

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** GET on a loopback port. */
  public HttpResponse<String> get(int port, String path) {
    return send("GET", port, path);
  }

  /** HEAD on a loopback port. */
  public HttpResponse<String> head(int port, String path) {
    return send("HEAD", port, path);
  }

  private HttpResponse<String> send(String method, int port, String path) {
    return send(method, "127.0.0.1", port, path);
  }

  private HttpResponse<String> send(String method, String host, int port, String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
      .method(method, HttpRequest.BodyPublishers.noBody())
      .timeout(Duration.ofSeconds(10))
      .build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " http://" + host + ":" + port + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** GET that must answer 200 with a JSON object. */
  public JsonObject json(int port, String path) {
    return json("127.0.0.1", port, path);
  }

  /** GET on {@code host} (e.g. a loopback alias) that must answer 200 with a JSON object. */
  public JsonObject json(String host, int port, String path) {
    HttpResponse<String> response = send("GET", host, port, path);
    if (response.statusCode() != 200) {
      throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body());
  }
}
