package io.vertxecho.config;

import io.vertx.core.json.JsonObject;

/**
 * One entry of the {@code verticles} key: a user verticle deployed by name through Vert.x's verticle factories, with
 * its instance count and the JSON its instances read as {@code config()}. Entries are told apart by name.
 *
 * @param name      a Groovy script ({@code groovy:path} or a {@code .groovy} path), a Java source file compiled at deploy
 *                  ({@code java:path} or a {@code .java} path) or a class name (from a jar in {@code verticleJars})
 * @param instances how many instances, each on an event loop of its own
 * @param config    what each instance reads as {@code config()}
 */
public record VerticleEntry(String name, int instances, JsonObject config) {

  static final String ALLOWED = "a list (a JSON array) of {\"name\": a script, source file or class name, "
    + "\"instances\": 1 to 1024 (default 1), \"config\": a JSON object (default {})}, each name once";

  /** The file a script or source name points to (its prefix dropped), or null for a class name. */
  public String file() {
    String path = name.startsWith("groovy:") || name.startsWith("java:") ? name.substring(name.indexOf(':') + 1) : name;
    return path.endsWith(".groovy") || path.endsWith(".java") ? path : null;
  }

  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("instances", instances).put("config", config.copy());
  }
}
