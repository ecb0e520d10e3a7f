package io.vertxecho.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertxecho.text.Nearest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static io.vertxecho.config.Key.Applies.LIVE;
import static io.vertxecho.config.Key.Applies.RESTART;

/**
 * The whole application configuration as one validated, typed value, and the declaration of every key it has.
 * Built once from the merged config sources ({@link ConfigLoader}); verticles receive it as a constructor argument
 * and read a key with {@link #get}. Adding a key is one declaration here and its use.
 */
public final class EchoConfig {

  /** How bytes are framed: {@code line} (greeting, commands, lines) or {@code raw} (RFC 862). */
  public enum Mode {
    LINE, RAW;

    public String key() {
      return Key.word(this);
    }
  }

  /** Who must show a client certificate on the TLS port. */
  public enum ClientAuth {
    NONE, REQUEST, REQUIRED;

    public String key() {
      return Key.word(this);
    }
  }

  /** The network transport the node's Vert.x is built with ({@code io.vertxecho.TransportChoice}). */
  public enum NetTransport {
    AUTO, EPOLL, IO_URING, NIO;

    public String key() {
      return Key.word(this);
    }
  }

  public static final String DEFAULT_LINE_GREETING = "Welcome to my server";
  private static final String CLUSTER_MEMBERS_ALLOWED =
    "a list of host or host:port entries (a JSON array, or comma-separated), e.g. node1,node2:5701";
  private static final String CLUSTER_NAME_ALLOWED = "letters, digits, '.', '_' or '-' (empty keeps cluster/cluster.xml's name)";
  private static final String CLUSTER_INTERFACE_ALLOWED =
    "an IPv4 address where * or a range may stand for a number (e.g. 10.0.*.* or 10.0.0.4-18), or empty";
  /** One part of a Hazelcast interface pattern: a number, {@code *}, or a range such as {@code 4-18}. */
  private static final String OCTET = "(\\d{1,3}|\\*|\\d{1,3}-\\d{1,3})";

  /** Filled while this class initialises, in the order of the declarations below; read-only from then on. */
  private static final List<Key<?>> DECLARED = new ArrayList<>();

  public static final Key<String> HOST = declare(Key.string("host", "0.0.0.0", false, RESTART,
    "address the echo port (and the TLS port) binds to"));
  public static final Key<Integer> PORT = declare(Key.integer("port", 9999, 0, 65535, RESTART,
    "the echo port (0 = a free port, logged at startup)"));
  public static final Key<Integer> INSTANCES = declare(Key.integer("instances", 1, 1, 1024, LIVE,
    "EchoVerticle instances: event loops serving the port")
    .defaultFrom("number of cores", earlier -> Runtime.getRuntime().availableProcessors()));
  public static final Key<Mode> MODE = declare(Key.choice("mode", Mode.LINE, LIVE,
    "`line` (greeting, quit commands, lines) or `raw` (RFC 862: every byte back as it comes)"));
  public static final Key<String> GREETING = declare(Key.string("greeting", "", true, LIVE,
    "sent on connect; empty sends nothing")
    .defaultFrom("`" + DEFAULT_LINE_GREETING + "` (line), empty (raw)",
      earlier -> earlier.get(MODE) == Mode.LINE ? DEFAULT_LINE_GREETING : ""));
  public static final Key<String> GOODBYE = declare(Key.string("goodbye", "Bye", true, LIVE,
    "sent before closing on a quit command"));
  public static final Key<List<String>> QUIT_COMMANDS = declare(Key.of("quitCommands", List.of("exit", "quit"),
    "a list of non-empty words (a JSON array, or comma-separated)", EchoConfig::quitCommands, LIVE,
    "words that close the connection (trimmed, any case)"));
  public static final Key<Boolean> CLOSE_ON_EMPTY_LINE = declare(Key.bool("closeOnEmptyLine", false, LIVE,
    "an empty line closes like a quit command"));
  public static final Key<Integer> MAX_LINE_BYTES = declare(Key.integer("maxLineBytes", 65536, 1, 64 * 1024 * 1024, LIVE,
    "longest line in line mode, the terminator not counted"));
  public static final Key<Integer> IDLE_TIMEOUT_SECONDS = declare(Key.integer("idleTimeoutSeconds", 0, 0, 86_400, LIVE,
    "close a connection after this long without traffic either way; 0 = never"));
  public static final Key<Integer> MAX_CONNECTIONS = declare(Key.integer("maxConnections", 0, 0, 10_000_000, LIVE,
    "open connections per node; 0 = what the process can hold (open files and heap), logged at startup"));
  public static final Key<Integer> MAX_CONNECTIONS_PER_IP = declare(Key.integer("maxConnectionsPerIp", 0, 0, 10_000_000, LIVE,
    "open connections per client address, per node; 0 = no limit"));
  public static final Key<Integer> SHUTDOWN_GRACE_SECONDS = declare(Key.integer("shutdownGraceSeconds", 10, 0, 3600, LIVE,
    "how long a stopping node, or a removed instance, keeps echoing to clients that stay"));
  public static final Key<Integer> DRAIN_DELAY_MILLIS = declare(Key.integer("drainDelayMillis", 0, 0, 60_000, LIVE,
    "how long a stopping node keeps its echo ports open after /ready answers 503, so that a load balancer stops sending first"));
  public static final Key<Integer> STATS_INTERVAL_MILLIS = declare(Key.integer("statsIntervalMillis", 1000, 50, 60_000, LIVE,
    "period of each instance's traffic summary and of the node's summary to the cluster"));
  public static final Key<Integer> CONFIG_SCAN_MILLIS = declare(Key.integer("configScanMillis", 3000, 0, 3_600_000, RESTART,
    "how often the config file and the TLS files are checked for changes; 0 = never"));
  public static final Key<String> HTTP_HOST = declare(Key.string("http.host", "0.0.0.0", false, RESTART,
    "address of the HTTP endpoints"));
  public static final Key<Integer> HTTP_PORT = declare(Key.integer("http.port", 8080, 0, 65535, RESTART,
    "port of the HTTP endpoints (0 = a free port)"));
  public static final Key<List<String>> CLUSTER_MEMBERS = declare(Key.of("cluster.members", List.<String>of(),
    CLUSTER_MEMBERS_ALLOWED, EchoConfig::clusterMembers, RESTART,
    "with `-cluster`: the hosts to join, `host` or `host:port`")
    .defaultDescribed("empty: `cluster/cluster.xml`'s (`127.0.0.1`)"));
  public static final Key<String> CLUSTER_NAME = declare(Key.of("cluster.name", "", CLUSTER_NAME_ALLOWED,
    value -> matching(value, "[A-Za-z0-9._\\-]*", CLUSTER_NAME_ALLOWED), RESTART,
    "with `-cluster`: nodes join only a cluster of the same name")
    .defaultDescribed("empty: `cluster/cluster.xml`'s (`vertx-echo`)"));
  public static final Key<String> CLUSTER_INTERFACE = declare(Key.of("cluster.interface", "", CLUSTER_INTERFACE_ALLOWED,
    value -> matching(value, "|" + OCTET + "(\\." + OCTET + "){3}", CLUSTER_INTERFACE_ALLOWED), RESTART,
    "with `-cluster`: the address Hazelcast and the clustered event bus bind to and advertise; an exact address is"
      + " taken as given (a loopback alias such as 127.0.0.20 too), a pattern picks this machine's interface address"
      + " that matches")
    .defaultDescribed("empty: Hazelcast's choice"));
  public static final Key<Integer> CLUSTER_PORT = declare(Key.integer("cluster.port", -1, -1, 65535, RESTART,
    "with `-cluster`: Hazelcast's port (0 = a free port, logged in the `Joined cluster` line); other members list"
      + " it in `cluster.members` as `host:port`")
    .defaultDescribed("`-1`: `cluster/cluster.xml`'s (5701, else the next free one up to 5720)"));
  public static final Key<String> CLUSTER_TLS_CERT_PATH = declare(Key.path("cluster.tls.certPath", RESTART,
    "this node's certificate on the cluster event bus, PEM; the three `cluster.tls.*` files go together (empty: plaintext)"));
  public static final Key<String> CLUSTER_TLS_KEY_PATH = declare(Key.path("cluster.tls.keyPath", RESTART,
    "its private key, PEM"));
  public static final Key<String> CLUSTER_TLS_TRUST_PATH = declare(Key.path("cluster.tls.trustPath", RESTART,
    "the cluster's CA certificates, PEM: only peers whose certificate chains to them are accepted"));
  public static final Key<NetTransport> TRANSPORT = declare(Key.choice("transport", NetTransport.AUTO, RESTART,
    "what the sockets run on: `auto` (io_uring, else epoll, else NIO), `io_uring`, `epoll` or `nio`; see below"));
  public static final Key<Boolean> PROXY_PROTOCOL = declare(Key.bool("proxyProtocol", false, RESTART,
    "connections start with a PROXY v1/v2 header; the real client address goes to events, `/stats` and the access log"));
  public static final Key<Boolean> ACCESS_LOG = declare(Key.bool("accessLog", false, RESTART,
    "one line per connection, served or refused, on the logger `io.vertxecho.access`"));
  public static final Key<Boolean> BRIDGE_ENABLED = declare(Key.bool("bridge.enabled", true, RESTART,
    "the event-bus bridge on `/eventbus` (the dashboard's live feed)"));
  public static final Key<Integer> BRIDGE_CONNECTION_EVENTS_PER_SECOND = declare(Key.integer(
    "bridge.connectionEventsPerSecond", 100, 0, 100_000, RESTART,
    "connection events forwarded to bridge clients per second; the rest are counted in one `skipped` message a second"));
  public static final Key<Integer> BRIDGE_TCP_PORT = declare(Key.integer("bridge.tcp.port", -1, -1, 65535, RESTART,
    "the event-bus bridge over plain TCP, for programs outside the JVM ([events.md](events.md#the-tcp-bridge)), on `host`, "
      + "with the `/eventbus` bridge's permissions (0 = a free port)")
    .defaultDescribed("`-1` (off)"));
  public static final Key<Boolean> BRIDGE_TCP_TLS = declare(Key.bool("bridge.tcp.tls", false, RESTART,
    "TLS on the TCP bridge port, with the TLS echo port's `tls.certPath`, `tls.keyPath`, `tls.clientAuth` and `tls.trustPath`"));
  public static final Key<Integer> TLS_PORT = declare(Key.integer("tls.port", -1, -1, 65535, RESTART,
    "TLS echo port beside the plain one, on `host` (0 = a free port)")
    .defaultDescribed("`-1` (off)"));
  public static final Key<String> TLS_CERT_PATH = declare(Key.path("tls.certPath", RESTART,
    "the TLS port's certificate (chain), PEM; required with `tls.port`"));
  public static final Key<String> TLS_KEY_PATH = declare(Key.path("tls.keyPath", RESTART,
    "its private key, PEM (PKCS#8 or PKCS#1); required with `tls.port`"));
  public static final Key<ClientAuth> TLS_CLIENT_AUTH = declare(Key.choice("tls.clientAuth", ClientAuth.NONE, RESTART,
    "client certificates: `none`, `request` (checked if shown) or `required`"));
  public static final Key<String> TLS_TRUST_PATH = declare(Key.path("tls.trustPath", RESTART,
    "CA certificates, PEM, that client certificates must chain to; required unless `tls.clientAuth` is `none`"));
  public static final Key<Integer> TLS_HANDSHAKE_TIMEOUT_SECONDS = declare(Key.integer("tls.handshakeTimeoutSeconds", 10, 1, 300,
    RESTART, "a client that has not finished its TLS handshake by then is dropped"));
  public static final Key<List<VerticleEntry>> VERTICLES = declare(Key.of("verticles", List.<VerticleEntry>of(),
    VerticleEntry.ALLOWED, EchoConfig::verticles, LIVE,
    "user verticles deployed beside the echo service, on the same bus ([verticles.md](verticles.md)); a change "
      + "deploys, undeploys or redeploys only the entries it touches"));
  public static final Key<String> VERTICLE_JARS = declare(Key.string("verticleJars", "conf/verticles", false, RESTART,
    "folder whose `*.jar` files hold the classes of the user verticles named by class"));

  /** Every key, in the order of the declarations (and of the docs table). */
  public static final List<Key<?>> KEYS = List.copyOf(DECLARED);
  /** The names of the keys a running node cannot change: a change is logged and takes effect at the next start. */
  public static final Set<String> RESTART_KEYS = KEYS.stream().filter(key -> key.applies() == RESTART).map(Key::name)
    .collect(Collectors.toUnmodifiableSet());
  private static final Map<String, Key<?>> BY_NAME = KEYS.stream().collect(Collectors.toUnmodifiableMap(Key::name, key -> key));

  private final Map<Key<?>, Object> values;

  private EchoConfig(Map<Key<?>, Object> values) {
    this.values = Collections.unmodifiableMap(values);
  }

  private static <T> Key<T> declare(Key<T> key) {
    DECLARED.add(key);
    return key;
  }

  /** The value of {@code key}. */
  @SuppressWarnings("unchecked")
  public <T> T get(Key<T> key) {
    return (T) values.get(key);
  }

  /** The key of a dotted name, or null. */
  public static Key<?> key(String name) {
    return BY_NAME.get(name);
  }

  /** Built-in defaults, the lowest config source; keys whose default depends on others are left out. */
  public static JsonObject defaults() {
    JsonObject defaults = new JsonObject();
    for (Key<?> key : KEYS) {
      if (key.defaultJson() != null) {
        put(defaults, key.name(), key.defaultJson());
      }
    }
    return defaults;
  }

  /**
   * Reads a config whose files were checked already (a change the deployer has validated): every value is parsed and
   * checked against its key, nothing touches the file system. A key not set takes its default.
   *
   * @throws ConfigException naming the key, the value and what is allowed
   */
  public static EchoConfig fromJson(JsonObject json) {
    return fromJson(json, Map.of(), false);
  }

  /**
   * Validates the merged config, the files it names included: they are read, so call it off the event loop.
   *
   * @param origins dotted key to a description of the source that set it (e.g. "environment variable ECHO_PORT"),
   *                used to point at the culprit in error messages
   * @throws ConfigException naming the key, the value and what is allowed
   */
  public static EchoConfig validate(JsonObject json, Map<String, String> origins) {
    return fromJson(json, origins, true);
  }

  private static EchoConfig fromJson(JsonObject json, Map<String, String> origins, boolean checkFiles) {
    rejectUnknownKeys(json, origins);
    Map<Key<?>, Object> values = new LinkedHashMap<>();
    for (Key<?> key : KEYS) {
      Object raw = valueAt(json, key.name());
      try {
        values.put(key, raw == null ? key.defaultFor(values) : key.parse(raw));
      } catch (Key.Invalid invalid) {
        throw invalid(key.name(), raw, invalid.getMessage(), origins);
      }
    }
    EchoConfig config = new EchoConfig(values);
    if (checkFiles) {
      config.checkFiles(origins);
    }
    return config;
  }

  /** The canonical JSON form: what {@link #fromJson} reads back into an equal value. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    values.forEach((key, value) -> put(json, key.name(), key.json(value)));
    return json;
  }

  /** The dotted names of the keys whose values differ between this config and {@code other}, sorted. */
  public Set<String> changedKeys(EchoConfig other) {
    Set<String> changed = new TreeSet<>();
    for (Key<?> key : KEYS) {
      if (!Objects.equals(get(key), other.get(key))) {
        changed.add(key.name());
      }
    }
    return changed;
  }

  /** The value of a dotted key, as JSON. */
  public Object value(String name) {
    Key<?> key = key(name);
    return key.json(get(key));
  }

  /** This config with the {@link #RESTART_KEYS} taken from {@code running}. */
  public EchoConfig keepingRestartKeysOf(EchoConfig running) {
    Map<Key<?>, Object> kept = new LinkedHashMap<>(values);
    for (Key<?> key : KEYS) {
      if (key.applies() == RESTART) {
        kept.put(key, running.get(key));
      }
    }
    return new EchoConfig(kept);
  }

  /** This config with {@code key} set to {@code value} (already valid). */
  public <T> EchoConfig with(Key<T> key, T value) {
    Map<Key<?>, Object> changed = new LinkedHashMap<>(values);
    changed.put(key, value);
    return new EchoConfig(changed);
  }

  /** The TLS echo port: off when {@code tls.port} is -1. */
  public record Tls(int port, String certPath, String keyPath, ClientAuth clientAuth, String trustPath,
                    int handshakeTimeoutSeconds) {

    public boolean enabled() {
      return port >= 0;
    }
  }

  /** TLS with client certificates on the clustered event bus: all three PEM files, or none (off). */
  public record ClusterTls(String certPath, String keyPath, String trustPath) {

    public boolean enabled() {
      return !certPath.isEmpty();
    }
  }

  /** The {@code tls.*} keys together. */
  public Tls tls() {
    return new Tls(get(TLS_PORT), get(TLS_CERT_PATH), get(TLS_KEY_PATH), get(TLS_CLIENT_AUTH), get(TLS_TRUST_PATH),
      get(TLS_HANDSHAKE_TIMEOUT_SECONDS));
  }

  /** Whether the TCP bridge is on and speaks TLS, with the {@code tls.*} certificate settings. */
  public boolean bridgeTls() {
    return get(BRIDGE_TCP_PORT) >= 0 && get(BRIDGE_TCP_TLS);
  }

  /** The {@code cluster.tls.*} keys together. */
  public ClusterTls clusterTls() {
    return new ClusterTls(get(CLUSTER_TLS_CERT_PATH), get(CLUSTER_TLS_KEY_PATH), get(CLUSTER_TLS_TRUST_PATH));
  }

  /** The files the config names must be readable: the TLS port's when it is on, the event bus's when any is set. */
  private void checkFiles(Map<String, String> origins) {
    ClusterTls cluster = clusterTls();
    if (!cluster.certPath().isEmpty() || !cluster.keyPath().isEmpty() || !cluster.trustPath().isEmpty()) {
      String together = " (cluster.tls.certPath, keyPath and trustPath go together)";
      readableFile(CLUSTER_TLS_CERT_PATH, "a readable PEM certificate file" + together, origins);
      readableFile(CLUSTER_TLS_KEY_PATH, "a readable PEM private key file" + together, origins);
      readableFile(CLUSTER_TLS_TRUST_PATH, "a readable PEM file of the cluster's CA certificates" + together, origins);
    }
    List<VerticleEntry> verticles = get(VERTICLES);
    for (int i = 0; i < verticles.size(); i++) {
      String file = verticles.get(i).file();
      if (file != null && (!Files.isRegularFile(Path.of(file)) || !Files.isReadable(Path.of(file)))) {
        throw invalid(VERTICLES.name() + "[" + i + "].name", verticles.get(i).name(),
          "a readable script or source file (relative paths start at the working directory), or a class name", origins);
      }
    }
    if (tls().enabled() || bridgeTls()) {
      String with = tls().enabled() ? "tls.port" : "bridge.tcp.tls";
      readableFile(TLS_CERT_PATH, "a readable PEM certificate file (required with " + with + ")", origins);
      readableFile(TLS_KEY_PATH, "a readable PEM private key file (required with " + with + ")", origins);
      if (get(TLS_CLIENT_AUTH) != ClientAuth.NONE) {
        readableFile(TLS_TRUST_PATH, "a readable PEM file of trusted CA certificates (required with tls.clientAuth "
          + get(TLS_CLIENT_AUTH).key() + ")", origins);
      }
    }
  }

  private void readableFile(Key<String> key, String allowed, Map<String, String> origins) {
    String path = get(key);
    if (path.isEmpty() || !Files.isRegularFile(Path.of(path)) || !Files.isReadable(Path.of(path))) {
      throw invalid(key.name(), path, allowed, origins);
    }
  }


  private static List<String> quitCommands(Object value) {
    List<String> commands = new ArrayList<>();
    for (Object item : Key.items(value, "a list of non-empty words (a JSON array, or comma-separated)")) {
      if (!(item instanceof String word) || word.isBlank() || word.strip().chars().anyMatch(Character::isWhitespace)) {
        throw new Key.Invalid("a list of non-empty words without spaces (a JSON array, or comma-separated)");
      }
      commands.add(word.strip().toLowerCase(Locale.ROOT));
    }
    return List.copyOf(commands);
  }

  /** The {@code verticles} list: a JSON array (or its text, from the environment) of entries or bare names. */
  private static List<VerticleEntry> verticles(Object value) {
    Object parsed = value;
    if (value instanceof String text) {
      try {
        parsed = text.isBlank() ? new JsonArray() : new JsonArray(text.strip());
      } catch (DecodeException notJson) {
        throw new Key.Invalid(VerticleEntry.ALLOWED + " (not a JSON array: " + notJson.getMessage().lines().findFirst().orElse("") + ")");
      }
    }
    if (!(parsed instanceof JsonArray array)) {
      throw new Key.Invalid(VerticleEntry.ALLOWED);
    }
    List<VerticleEntry> entries = new ArrayList<>();
    Set<String> names = new TreeSet<>();
    for (int i = 0; i < array.size(); i++) {
      Object item = array.getValue(i);
      JsonObject entry = item instanceof String name ? new JsonObject().put("name", name) : item instanceof JsonObject object ? object : null;
      String problem = entry == null ? "is neither an object nor a name" : verticleProblem(entry);
      if (problem == null && !names.add(entry.getString("name").strip())) {
        problem = "names " + entry.getString("name").strip() + " again";
      }
      if (problem != null) {
        throw new Key.Invalid(VerticleEntry.ALLOWED + "; entry " + i + " " + problem);
      }
      entries.add(new VerticleEntry(entry.getString("name").strip(), entry.getInteger("instances", 1),
        entry.getJsonObject("config", new JsonObject()).copy()));
    }
    return List.copyOf(entries);
  }

  /** What is wrong with one entry of {@code verticles}, or null. */
  private static String verticleProblem(JsonObject entry) {
    Set<String> unknown = new TreeSet<>(entry.fieldNames());
    unknown.removeAll(Set.of("name", "instances", "config"));
    if (!unknown.isEmpty()) {
      return "has an unknown field: " + String.join(", ", unknown);
    }
    if (!(entry.getValue("name") instanceof String name) || name.isBlank() || name.indexOf('\n') >= 0) {
      return "has no name (a non-empty single-line string)";
    }
    Object instances = entry.getValue("instances", 1);
    if (!(instances instanceof Integer count) || count < 1 || count > 1024) {
      return "has instances " + instances + " (an integer from 1 to 1024)";
    }
    Object config = entry.getValue("config", new JsonObject());
    return config instanceof JsonObject ? null : "has config " + config + " (a JSON object)";
  }

  /** Hazelcast TCP-IP members: {@code host} or {@code host:port}. */
  private static List<String> clusterMembers(Object value) {
    List<String> members = new ArrayList<>();
    for (Object item : Key.items(value, CLUSTER_MEMBERS_ALLOWED)) {
      if (!(item instanceof String member) || !member.strip().matches("[A-Za-z0-9._\\-]+(:\\d{1,5})?")
        || member.contains(":") && Integer.parseInt(member.strip().substring(member.strip().indexOf(':') + 1)) > 65535) {
        throw new Key.Invalid(CLUSTER_MEMBERS_ALLOWED);
      }
      members.add(member.strip());
    }
    return List.copyOf(members);
  }

  /** A string, surrounding spaces dropped, that matches {@code pattern}. */
  private static String matching(Object value, String pattern, String allowed) {
    if (value instanceof String text && text.strip().matches(pattern)) {
      return text.strip();
    }
    throw new Key.Invalid(allowed);
  }

  /**
   * The end of the message for a name that is none of {@code known}: the known one it is likely a typo of (between
   * {@code quote}s), else where the known ones are listed.
   */
  static String suggestion(String unknown, Collection<String> known, String quote) {
    return Nearest.to(unknown, known).map(near -> "; did you mean " + quote + near + quote + "?")
      .orElse(" (java -jar vertx-echo.jar --help and docs/configuration.md list the keys)");
  }

  private static void rejectUnknownKeys(JsonObject json, Map<String, String> origins) {
    Set<String> unknown = new TreeSet<>();
    collectKeys(json, "", unknown);
    unknown.removeAll(BY_NAME.keySet());
    if (!unknown.isEmpty()) {
      String key = unknown.iterator().next();
      throw new ConfigException("Invalid configuration: unknown key '" + key + "'" + origin(key, origins)
        + suggestion(key, BY_NAME.keySet(), "'"));
    }
  }

  private static void collectKeys(JsonObject object, String prefix, Set<String> into) {
    for (Map.Entry<String, Object> entry : object) {
      String key = prefix + entry.getKey();
      if (entry.getValue() instanceof JsonObject nested && !BY_NAME.containsKey(key)) {
        collectKeys(nested, key + ".", into);
      } else {
        into.add(key);
      }
    }
  }

  private static ConfigException invalid(String key, Object value, String allowed, Map<String, String> origins) {
    String shown = value == null ? "missing" : value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    return new ConfigException("Invalid configuration: " + key + " = " + shown + origin(key, origins) + "; expected " + allowed);
  }

  private static String origin(String key, Map<String, String> origins) {
    String origin = origins.get(key);
    return origin == null ? "" : " (from " + origin + ")";
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

  /** Sets the value at a dotted key, making the objects on the way. */
  static void put(JsonObject json, String key, Object value) {
    JsonObject target = json;
    String[] path = key.split("\\.");
    for (int i = 0; i < path.length - 1; i++) {
      if (!(target.getValue(path[i]) instanceof JsonObject)) {
        target.put(path[i], new JsonObject());
      }
      target = target.getJsonObject(path[i]);
    }
    target.put(path[path.length - 1], value);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof EchoConfig config && values.equals(config.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
