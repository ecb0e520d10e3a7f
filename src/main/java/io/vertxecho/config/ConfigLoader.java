package io.vertxecho.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Layers the config sources with vertx-config, later wins: built-in defaults &lt; the config file
 * ({@code conf/config.json} or {@code VERTX_CONFIG_PATH}) &lt; the launcher's {@code -conf} &lt; environment
 * ({@code ECHO_*}) &lt; system properties ({@code -Decho.*}) &lt; the launcher's {@code -instances}.
 * The stores are declared explicitly because vertx-config's default order lets the file beat the environment.
 */
public final class ConfigLoader {

  public static final String DEFAULT_PATH = "conf/config.json";
  public static final String ENV_PREFIX = "ECHO_";
  public static final String PROPERTY_PREFIX = "echo.";
  /** Read by logback.xml, not config keys: they must not fail the config check. */
  public static final Set<String> LOGGING_ENV = Set.of("ECHO_CONNECTION_LOG", "ECHO_LOG_LEVEL");

  private final String path;
  private final boolean pathOptional;
  private final JsonObject launcherConf;
  private final JsonObject overrides = new JsonObject();
  private final Map<String, String> origins = new HashMap<>();

  /**
   * @param launcherConf the launcher's {@code -conf} JSON (the main verticle's config), may be empty
   * @param env          the process environment
   * @param properties   the system properties
   */
  public ConfigLoader(JsonObject launcherConf, Map<String, String> env, Properties properties) {
    String explicitPath = properties.getProperty("vertx-config-path", env.get("VERTX_CONFIG_PATH"));
    this.path = explicitPath == null ? DEFAULT_PATH : explicitPath;
    this.pathOptional = explicitPath == null;
    this.launcherConf = launcherConf == null ? new JsonObject() : launcherConf.copy();
    env.forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX) && !LOGGING_ENV.contains(name)) {
        override(keyForEnv(name), value, "environment variable " + name);
      }
    });
    properties.stringPropertyNames().forEach(name -> {
      if (name.startsWith(PROPERTY_PREFIX)) {
        override(keyForProperty(name), properties.getProperty(name), "system property " + name);
      }
    });
  }

  /** The config file this loader reads (and a retriever watches). */
  public String path() {
    return path;
  }

  /** The environment variable that sets a dotted key, e.g. {@code http.port -> ECHO_HTTP_PORT}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.replaceAll("([a-z])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /** A retriever over every source; scans the file every {@code scanPeriodMillis}. */
  public ConfigRetriever retriever(Vertx vertx, long scanPeriodMillis) {
    ConfigStoreOptions file = new ConfigStoreOptions()
      .setType("file")
      .setFormat("json")
      .setOptional(pathOptional && !Files.exists(Path.of(path)))
      .setConfig(new JsonObject().put("path", path));
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
      .setIncludeDefaultStores(false)
      .setScanPeriod(scanPeriodMillis)
      .addStore(json(EchoConfig.defaults()))
      .addStore(file)
      .addStore(json(launcherConf))
      .addStore(json(overrides));
    return ConfigRetriever.create(vertx, options);
  }

  /**
   * Reads every source once, merged in the order {@link #retriever} uses, without Vert.x: the cluster manager
   * needs the config before Vert.x exists. It reads a file: call it off the event loop.
   */
  public JsonObject read() {
    JsonObject merged = EchoConfig.defaults().copy();
    Path file = Path.of(path);
    if (!pathOptional || Files.exists(file)) {
      try {
        merged.mergeIn(new JsonObject(Files.readString(file)), true);
      } catch (IOException | DecodeException e) {
        throw unreadable(e);
      }
    }
    return merged.mergeIn(launcherConf, true).mergeIn(overrides, true);
  }

  /** {@link #read()} and {@link #validate}: the config to start with. */
  public EchoConfig load() {
    return validate(read());
  }

  /** The launcher's {@code -instances}, which wins over every other source, now and for later changes. */
  public ConfigLoader launcherInstances(int instances) {
    override("instances", instances, "launcher option -instances");
    return this;
  }

  /** Validates a merged config from {@link #retriever}, naming the source of a bad override. */
  public EchoConfig validate(JsonObject merged) {
    return EchoConfig.fromJson(merged, origins);
  }

  /** The error for a config file that cannot be read or parsed. */
  public ConfigException unreadable(Throwable failure) {
    String reason = failure.getMessage() == null ? failure.toString() : failure.getMessage().lines().findFirst().orElse("");
    return new ConfigException("Invalid configuration: cannot read config file " + path + ": " + reason);
  }

  private void override(String key, Object value, String origin) {
    if (!EchoConfig.KEYS.contains(key)) {
      TreeSet<String> known = new TreeSet<>();
      EchoConfig.KEYS.forEach(k -> known.add(origin.startsWith("environment") ? envName(k) : PROPERTY_PREFIX + k));
      throw new ConfigException("Invalid configuration: unknown " + origin + "; known: " + String.join(", ", known));
    }
    JsonObject target = overrides;
    String[] path = key.split("\\.");
    for (int i = 0; i < path.length - 1; i++) {
      if (!(target.getValue(path[i]) instanceof JsonObject)) {
        target.put(path[i], new JsonObject());
      }
      target = target.getJsonObject(path[i]);
    }
    target.put(path[path.length - 1], value);
    origins.put(key, origin);
  }

  private static String keyForEnv(String name) {
    for (String key : EchoConfig.KEYS) {
      if (envName(key).equals(name)) {
        return key;
      }
    }
    return name;
  }

  private static String keyForProperty(String name) {
    return name.substring(PROPERTY_PREFIX.length());
  }

  private static ConfigStoreOptions json(JsonObject config) {
    return new ConfigStoreOptions().setType("json").setConfig(config);
  }
}
