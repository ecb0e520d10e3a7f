package io.vertxecho.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The whole application configuration as one validated, typed value.
 * Built once from the merged config sources; verticles receive it as JSON ({@link #toJson()}).
 */
public record EchoConfig(
  String host,
  int port,
  int instances,
  Mode mode,
  String greeting,
  String goodbye,
  List<String> quitCommands,
  boolean closeOnEmptyLine,
  int maxLineBytes,
  int idleTimeoutSeconds,
  int maxConnections,
  int maxConnectionsPerIp,
  int shutdownGraceSeconds,
  int statsIntervalMillis,
  int configScanMillis,
  String httpHost,
  int httpPort,
  List<String> clusterMembers,
  String clusterName,
  String clusterInterface,
  ClusterTls clusterTls,
  boolean proxyProtocol,
  boolean accessLog,
  boolean bridgeEnabled,
  int bridgeConnectionEventsPerSecond,
  Tls tls) {

  /** How bytes are framed: {@code line} (greeting, commands, lines) or {@code raw} (RFC 862). */
  public enum Mode {
    LINE, RAW;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Who must show a client certificate on the TLS port. */
  public enum ClientAuth {
    NONE, REQUEST, REQUIRED;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The TLS echo port: off when {@code port} is -1. Certificate, key and trust files are PEM; the files
   * are watched and reloaded while the node runs.
   */
  public record Tls(int port, String certPath, String keyPath, ClientAuth clientAuth, String trustPath,
                    int handshakeTimeoutSeconds) {

    public boolean enabled() {
      return port >= 0;
    }

    JsonObject toJson() {
      return new JsonObject().put("port", port).put("certPath", certPath).put("keyPath", keyPath)
        .put("clientAuth", clientAuth.key()).put("trustPath", trustPath).put("handshakeTimeoutSeconds", handshakeTimeoutSeconds);
    }
  }

  /**
   * TLS with client certificates on the clustered event bus: all three PEM files, or none (off). Every node
   * shows its certificate and accepts only peers whose certificate chains to {@code trustPath}.
   */
  public record ClusterTls(String certPath, String keyPath, String trustPath) {

    public boolean enabled() {
      return !certPath.isEmpty();
    }

    JsonObject toJson() {
      return new JsonObject().put("certPath", certPath).put("keyPath", keyPath).put("trustPath", trustPath);
    }
  }

  public static final String DEFAULT_LINE_GREETING = "Welcome to my server";

  /** Every key a config source may set, as dotted paths. */
  public static final Set<String> KEYS = Set.of(
    "host", "port", "instances", "mode", "greeting", "goodbye", "quitCommands", "closeOnEmptyLine",
    "maxLineBytes", "idleTimeoutSeconds", "maxConnections", "maxConnectionsPerIp", "shutdownGraceSeconds",
    "statsIntervalMillis", "configScanMillis", "http.host", "http.port", "cluster.members", "cluster.name",
    "cluster.interface", "cluster.tls.certPath", "cluster.tls.keyPath", "cluster.tls.trustPath",
    "proxyProtocol", "accessLog", "bridge.enabled", "bridge.connectionEventsPerSecond",
    "tls.port", "tls.certPath", "tls.keyPath", "tls.clientAuth", "tls.trustPath", "tls.handshakeTimeoutSeconds");

  /** Keys that a running node cannot change: a change is logged and takes effect at the next start. */
  public static final Set<String> RESTART_KEYS = Set.of(
    "host", "port", "configScanMillis", "http.host", "http.port", "cluster.members", "cluster.name",
    "cluster.interface", "cluster.tls.certPath", "cluster.tls.keyPath", "cluster.tls.trustPath",
    "proxyProtocol", "accessLog", "bridge.enabled", "bridge.connectionEventsPerSecond",
    "tls.port", "tls.certPath", "tls.keyPath", "tls.clientAuth", "tls.trustPath", "tls.handshakeTimeoutSeconds");

  /** Built-in defaults, the lowest config source. {@code instances} and {@code greeting} default at validation. */
  public static JsonObject defaults() {
    return new JsonObject()
      .put("host", "0.0.0.0")
      .put("port", 9999)
      .put("mode", "line")
      .put("goodbye", "Bye")
      .put("quitCommands", new JsonArray().add("exit").add("quit"))
      .put("closeOnEmptyLine", false)
      .put("maxLineBytes", 65536)
      .put("idleTimeoutSeconds", 0)
      .put("maxConnections", 0)
      .put("maxConnectionsPerIp", 0)
      .put("shutdownGraceSeconds", 10)
      .put("statsIntervalMillis", 1000)
      .put("configScanMillis", 3000)
      .put("http", new JsonObject().put("host", "0.0.0.0").put("port", 8080))
      .put("cluster", new JsonObject().put("members", new JsonArray()).put("name", "").put("interface", "")
        .put("tls", new JsonObject().put("certPath", "").put("keyPath", "").put("trustPath", "")))
      .put("proxyProtocol", false)
      .put("accessLog", false)
      .put("bridge", new JsonObject().put("enabled", true).put("connectionEventsPerSecond", 100))
      .put("tls", new JsonObject().put("port", -1).put("certPath", "").put("keyPath", "")
        .put("clientAuth", "none").put("trustPath", "").put("handshakeTimeoutSeconds", 10));
  }

  /** Validates with no knowledge of where values came from (verticles re-reading their own config). */
  public static EchoConfig fromJson(JsonObject json) {
    return fromJson(json, Map.of());
  }

  /**
   * Validates the merged config.
   *
   * @param origins dotted key to a description of the source that set it (e.g. "environment variable ECHO_PORT"),
   *                used to point at the culprit in error messages
   * @throws ConfigException naming the key, the value and what is allowed
   */
  public static EchoConfig fromJson(JsonObject json, Map<String, String> origins) {
    Reader in = new Reader(json, origins);
    in.rejectUnknownKeys();
    Mode mode = in.mode("mode");
    return new EchoConfig(
      in.string("host", false),
      in.integer("port", 0, 65535),
      json.getValue("instances") == null ? Runtime.getRuntime().availableProcessors() : in.integer("instances", 1, 1024),
      mode,
      json.getValue("greeting") == null ? (mode == Mode.LINE ? DEFAULT_LINE_GREETING : "") : in.string("greeting", true),
      in.string("goodbye", true),
      in.quitCommands("quitCommands"),
      in.bool("closeOnEmptyLine"),
      in.integer("maxLineBytes", 1, 64 * 1024 * 1024),
      in.integer("idleTimeoutSeconds", 0, 86_400),
      in.integer("maxConnections", 0, 10_000_000),
      in.integer("maxConnectionsPerIp", 0, 10_000_000),
      in.integer("shutdownGraceSeconds", 0, 3600),
      in.integer("statsIntervalMillis", 50, 60_000),
      in.integer("configScanMillis", 0, 3_600_000),
      in.string("http.host", false),
      in.integer("http.port", 0, 65535),
      in.clusterMembers("cluster.members"),
      in.clusterName("cluster.name"),
      in.clusterInterface("cluster.interface"),
      in.clusterTls(),
      in.bool("proxyProtocol"),
      in.bool("accessLog"),
      in.bool("bridge.enabled"),
      in.integer("bridge.connectionEventsPerSecond", 0, 100_000),
      in.tls());
  }

  /** The canonical JSON form: what {@link #fromJson(JsonObject)} reads back into an equal value. */
  public JsonObject toJson() {
    return new JsonObject()
      .put("host", host)
      .put("port", port)
      .put("instances", instances)
      .put("mode", mode.key())
      .put("greeting", greeting)
      .put("goodbye", goodbye)
      .put("quitCommands", new JsonArray(new ArrayList<>(quitCommands)))
      .put("closeOnEmptyLine", closeOnEmptyLine)
      .put("maxLineBytes", maxLineBytes)
      .put("idleTimeoutSeconds", idleTimeoutSeconds)
      .put("maxConnections", maxConnections)
      .put("maxConnectionsPerIp", maxConnectionsPerIp)
      .put("shutdownGraceSeconds", shutdownGraceSeconds)
      .put("statsIntervalMillis", statsIntervalMillis)
      .put("configScanMillis", configScanMillis)
      .put("http", new JsonObject().put("host", httpHost).put("port", httpPort))
      .put("cluster", new JsonObject().put("members", new JsonArray(new ArrayList<>(clusterMembers))).put("name", clusterName)
        .put("interface", clusterInterface).put("tls", clusterTls.toJson()))
      .put("proxyProtocol", proxyProtocol)
      .put("accessLog", accessLog)
      .put("bridge", new JsonObject().put("enabled", bridgeEnabled).put("connectionEventsPerSecond", bridgeConnectionEventsPerSecond))
      .put("tls", tls.toJson());
  }

  /** The dotted keys whose values differ between this config and {@code other}. */
  public Set<String> changedKeys(EchoConfig other) {
    JsonObject mine = toJson();
    JsonObject theirs = other.toJson();
    Set<String> changed = new TreeSet<>();
    for (String key : KEYS) {
      if (!Objects.equals(valueAt(mine, key), valueAt(theirs, key))) {
        changed.add(key);
      }
    }
    return changed;
  }

  /** The value of a dotted key, as JSON. */
  public Object value(String key) {
    return valueAt(toJson(), key);
  }

  /** This config with the {@link #RESTART_KEYS} taken from {@code running}. */
  public EchoConfig keepingRestartKeysOf(EchoConfig running) {
    JsonObject json = toJson();
    JsonObject kept = running.toJson();
    for (String key : RESTART_KEYS) {
      String[] path = key.split("\\.");
      JsonObject target = json;
      for (int i = 0; i < path.length - 1; i++) {
        target = target.getJsonObject(path[i]);
      }
      target.put(path[path.length - 1], valueAt(kept, key));
    }
    return fromJson(json);
  }

  /** The value at a dotted key, or null. */
  static Object valueAt(JsonObject json, String key) {
    JsonObject object = json;
    String[] path = key.split("\\.");
    for (int i = 0; i < path.length - 1 && object != null; i++) {
      Object next = object.getValue(path[i]);
      object = next instanceof JsonObject nested ? nested : null;
    }
    return object == null ? null : object.getValue(path[path.length - 1]);
  }

  /** Reads typed values by dotted key; numbers, booleans and lists may also arrive as strings (env, system properties). */
  private record Reader(JsonObject json, Map<String, String> origins) {

    void rejectUnknownKeys() {
      Set<String> unknown = new TreeSet<>();
      collectKeys(json, "", unknown);
      unknown.removeAll(KEYS);
      if (!unknown.isEmpty()) {
        String key = unknown.iterator().next();
        throw new ConfigException("Invalid configuration: unknown key '" + key + "'" + origin(key)
          + "; known keys: " + String.join(", ", new TreeSet<>(KEYS)));
      }
    }

    private static void collectKeys(JsonObject object, String prefix, Set<String> into) {
      for (Map.Entry<String, Object> entry : object) {
        String key = prefix + entry.getKey();
        if (entry.getValue() instanceof JsonObject nested && !KEYS.contains(key)) {
          collectKeys(nested, key + ".", into);
        } else {
          into.add(key);
        }
      }
    }

    Object raw(String key) {
      return valueAt(json, key);
    }

    int integer(String key, int min, int max) {
      Object value = raw(key);
      String allowed = "an integer from " + min + " to " + max;
      long parsed;
      if (value instanceof Integer || value instanceof Long) {
        parsed = ((Number) value).longValue();
      } else if (value instanceof String text && text.trim().matches("-?\\d{1,18}")) {
        parsed = Long.parseLong(text.trim());
      } else {
        throw invalid(key, value, allowed);
      }
      if (parsed < min || parsed > max) {
        throw invalid(key, value, allowed);
      }
      return (int) parsed;
    }

    boolean bool(String key) {
      Object value = raw(key);
      if (value instanceof Boolean b) {
        return b;
      }
      if (value instanceof String text && (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false"))) {
        return Boolean.parseBoolean(text);
      }
      throw invalid(key, value, "true or false");
    }

    String string(String key, boolean emptyAllowed) {
      Object value = raw(key);
      if (value instanceof String text && (emptyAllowed || !text.isBlank()) && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
        return text;
      }
      throw invalid(key, value, emptyAllowed ? "a single-line string" : "a non-empty single-line string");
    }

    Mode mode(String key) {
      return choice(key, Mode.values(), Mode::key);
    }

    /** One of {@code choices}, named by {@code name} in any case. */
    private <E extends Enum<E>> E choice(String key, E[] choices, java.util.function.Function<E, String> name) {
      Object value = raw(key);
      List<String> names = new ArrayList<>();
      for (E choice : choices) {
        if (value instanceof String text && name.apply(choice).equalsIgnoreCase(text.trim())) {
          return choice;
        }
        names.add(name.apply(choice));
      }
      throw invalid(key, value, "one of: " + String.join(", ", names));
    }

    List<String> quitCommands(String key) {
      Object value = raw(key);
      List<?> items = items(key, value, "a list of non-empty words (a JSON array, or comma-separated)");
      List<String> commands = new ArrayList<>();
      for (Object item : items) {
        if (!(item instanceof String word) || word.isBlank() || word.strip().chars().anyMatch(Character::isWhitespace)) {
          throw invalid(key, value, "a list of non-empty words without spaces (a JSON array, or comma-separated)");
        }
        commands.add(word.strip().toLowerCase(Locale.ROOT));
      }
      return List.copyOf(commands);
    }

    /** Hazelcast TCP-IP members: {@code host} or {@code host:port}; empty keeps cluster.xml's list. */
    List<String> clusterMembers(String key) {
      Object value = raw(key);
      String allowed = "a list of host or host:port entries (a JSON array, or comma-separated), e.g. node1,node2:5701";
      List<String> members = new ArrayList<>();
      for (Object item : items(key, value, allowed)) {
        if (!(item instanceof String member) || !member.strip().matches("[A-Za-z0-9._\\-]+(:\\d{1,5})?")
          || member.contains(":") && Integer.parseInt(member.strip().substring(member.strip().indexOf(':') + 1)) > 65535) {
          throw invalid(key, value, allowed);
        }
        members.add(member.strip());
      }
      return List.copyOf(members);
    }

    /** The Hazelcast cluster name; empty keeps cluster.xml's. */
    String clusterName(String key) {
      Object value = raw(key);
      if (value instanceof String text && text.strip().matches("[A-Za-z0-9._\\-]*")) {
        return text.strip();
      }
      throw invalid(key, value, "letters, digits, '.', '_' or '-' (empty keeps cluster/cluster.xml's name)");
    }

    /** One part of a Hazelcast interface pattern: a number, {@code *}, or a range such as {@code 4-18}. */
    private static final String OCTET = "(\\d{1,3}|\\*|\\d{1,3}-\\d{1,3})";

    /** The interface Hazelcast binds to: an IPv4 address, wildcards allowed (10.0.*.*); empty = Hazelcast's choice. */
    String clusterInterface(String key) {
      Object value = raw(key);
      if (value instanceof String text && text.strip().matches("|" + OCTET + "(\\." + OCTET + "){3}")) {
        return text.strip();
      }
      throw invalid(key, value, "an IPv4 address where * or a range may stand for a number (e.g. 10.0.*.* or 10.0.0.4-18), or empty");
    }

    /** The event bus's TLS files: all three readable, or none set. */
    ClusterTls clusterTls() {
      ClusterTls tls = new ClusterTls(string("cluster.tls.certPath", true).strip(), string("cluster.tls.keyPath", true).strip(),
        string("cluster.tls.trustPath", true).strip());
      if (!tls.certPath().isEmpty() || !tls.keyPath().isEmpty() || !tls.trustPath().isEmpty()) {
        String allowed = " (cluster.tls.certPath, keyPath and trustPath go together)";
        readableFile("cluster.tls.certPath", tls.certPath(), "a readable PEM certificate file" + allowed);
        readableFile("cluster.tls.keyPath", tls.keyPath(), "a readable PEM private key file" + allowed);
        readableFile("cluster.tls.trustPath", tls.trustPath(), "a readable PEM file of the cluster's CA certificates" + allowed);
      }
      return tls;
    }

    /** The TLS port's settings: with the port on, certificate and key are required, and trust with client auth. */
    Tls tls() {
      Tls tls = new Tls(
        integer("tls.port", -1, 65535),
        string("tls.certPath", true).strip(),
        string("tls.keyPath", true).strip(),
        choice("tls.clientAuth", ClientAuth.values(), ClientAuth::key),
        string("tls.trustPath", true).strip(),
        integer("tls.handshakeTimeoutSeconds", 1, 300));
      if (tls.enabled()) {
        readableFile("tls.certPath", tls.certPath(), "a readable PEM certificate file (required with tls.port)");
        readableFile("tls.keyPath", tls.keyPath(), "a readable PEM private key file (required with tls.port)");
        if (tls.clientAuth() != ClientAuth.NONE) {
          readableFile("tls.trustPath", tls.trustPath(), "a readable PEM file of trusted CA certificates (required with tls.clientAuth "
            + tls.clientAuth().key() + ")");
        }
      }
      return tls;
    }

    private void readableFile(String key, String path, String allowed) {
      if (path.isEmpty() || !Files.isRegularFile(Path.of(path)) || !Files.isReadable(Path.of(path))) {
        throw invalid(key, path, allowed);
      }
    }

    /** The items of a list given as a JSON array or as a comma-separated string. */
    private List<?> items(String key, Object value, String allowed) {
      if (value instanceof JsonArray array) {
        return array.getList();
      }
      if (value instanceof String text) {
        return text.isBlank() ? List.of() : List.of(text.split(","));
      }
      throw invalid(key, value, allowed);
    }

    private ConfigException invalid(String key, Object value, String allowed) {
      String shown = value == null ? "missing" : value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
      return new ConfigException("Invalid configuration: " + key + " = " + shown + origin(key) + "; expected " + allowed);
    }

    private String origin(String key) {
      String origin = origins.get(key);
      return origin == null ? "" : " (from " + origin + ")";
    }
  }
}
