package io.vertxecho.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Layers the config sources with vertx-config, later wins: built-in defaults &lt; the config file
 * ({@code conf/config.json} or {@code VERTX_CONFIG_PATH}) &lt; the launcher's {@code -conf} &lt; environment
 * ({@code ECHO_*}) &lt; system properties ({@code -Decho.*}) &lt; the launcher's {@code -instances}.
 * vertx-config reads and watches the defaults and the file, in stores declared explicitly (its default order lets
 * the file beat the environment); the sources above the file are laid over them here, which also tells a change of
 * the file that one of them hides ({@link #masked}).
 */
public final class ConfigLoader {

  public static final String DEFAULT_PATH = "conf/config.json";
  /** Read by logback.xml, not config keys: they must not fail the config check. */
  public static final Set<String> LOGGING_ENV = Set.of("ECHO_CONNECTION_LOG", "ECHO_LOG_LEVEL");
  /** The levels logback takes for them (any case); it would read any other word as DEBUG. */
  private static final Set<String> LOG_LEVELS = Set.of("OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL");

  private final String path;
  private final boolean pathOptional;
  private final boolean pathFromProperty;
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
    this.pathFromProperty = properties.getProperty("vertx-config-path") != null;
    this.path = explicitPath == null ? DEFAULT_PATH : explicitPath;
    this.pathOptional = explicitPath == null;
    this.launcherConf = launcherConf == null ? new JsonObject() : launcherConf.copy();
    env.forEach((name, value) -> {
      if (LOGGING_ENV.contains(name)) {
        checkLogLevel(name, value);
      } else if (name.startsWith(Key.ENV_PREFIX)) {
        override(keyForEnv(name), value, "environment variable " + name);
      }
    });
    properties.stringPropertyNames().forEach(name -> {
      if (name.startsWith(Key.PROPERTY_PREFIX)) {
        override(keyForProperty(name), properties.getProperty(name), "system property " + name);
      }
    });
  }

  /** The config file this loader reads (and a retriever watches). */
  public String path() {
    return path;
  }

  /**
   * A retriever over the built-in defaults and the config file, which it scans every {@code scanPeriodMillis}:
   * {@link #merge} lays the other sources over what it gives, and {@link #masked} tells which file changes they hide.
   */
  public ConfigRetriever retriever(Vertx vertx, long scanPeriodMillis) {
    ConfigStoreOptions file = new ConfigStoreOptions()
      .setType("file")
      .setFormat("json")
      .setOptional(pathOptional && !Files.exists(Path.of(path)))
      .setConfig(new JsonObject().put("path", path));
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
      .setIncludeDefaultStores(false)
      .setScanPeriod(scanPeriodMillis)
      .addStore(new ConfigStoreOptions().setType("json").setConfig(EchoConfig.defaults()))
      .addStore(file);
    return ConfigRetriever.create(vertx, options);
  }

  /**
   * Reads every source once, merged in the order {@link #retriever} and {@link #merge} use, without Vert.x: the
   * cluster manager needs the config before Vert.x exists. It reads a file: call it off the event loop.
   */
  public JsonObject read() {
    JsonObject fileLayer = EchoConfig.defaults().copy();
    Path file = Path.of(path);
    if (!pathOptional || Files.exists(file)) {
      try {
        fileLayer.mergeIn(new JsonObject(Files.readString(file)), true);
      } catch (IOException | DecodeException e) {
        throw unreadable(e);
      }
    }
    return merge(fileLayer);
  }

  /**
   * The defaults and the file ({@code fileLayer}, as {@link #retriever} gives them) with the launcher's {@code -conf},
   * the environment, system properties and {@code -instances} over them.
   */
  public JsonObject merge(JsonObject fileLayer) {
    return fileLayer.copy().mergeIn(launcherConf, true).mergeIn(overrides, true);
  }

  /**
   * The file's changes from {@code before} to {@code after} that have no effect because a later source sets the
   * key, one entry each, e.g. {@code instances 2 -> 3 (launcher option -instances sets it to 4)}.
   */
  public List<String> masked(JsonObject before, JsonObject after) {
    List<String> masked = new ArrayList<>();
    for (String key : EchoConfig.KEYS.stream().map(Key::name).sorted().toList()) {
      boolean overridden = origins.containsKey(key);
      Object setTo = EchoConfig.valueAt(overridden ? overrides : launcherConf, key);
      Object was = EchoConfig.valueAt(before, key);
      Object now = EchoConfig.valueAt(after, key);
      if (setTo != null && !Objects.equals(was, now)) {
        String source = overridden ? origins.get(key) : "launcher option -conf";
        masked.add(key + " " + was + " -> " + now + " (" + source + " sets it to " + setTo + ")");
      }
    }
    return masked;
  }

  /**
   * When the launcher's {@code -conf} names this loader's config file (as in {@code -conf conf/config.json}), the file
   * is read and watched as the config file only: laid over itself as {@code -conf} too, it would hide every later
   * change to it.
   */
  public ConfigLoader launcherConfFile(String confOption) {
    if (confOption != null && sameFile(confOption, path)) {
      launcherConf.clear();
    }
    return this;
  }

  private static boolean sameFile(String one, String other) {
    try {
      return Files.isSameFile(Path.of(one), Path.of(other));
    } catch (IOException | InvalidPathException e) {
      return false;
    }
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
    return EchoConfig.validate(merged, origins);
  }

  /** The error for a config file that cannot be read or parsed. */
  public ConfigException unreadable(Throwable failure) {
    String reason = failure.getMessage() == null ? failure.toString() : failure.getMessage().lines().findFirst().orElse("");
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof NoSuchFileException) {
        reason = "no such file";
      } else if (cause instanceof AccessDeniedException) {
        reason = "permission denied";
      }
    }
    return new ConfigException("Invalid configuration: cannot read config file " + path + namedBy() + ": " + reason);
  }

  /** Where the config file's path came from, when not the default. */
  private String namedBy() {
    if (pathOptional) {
      return "";
    }
    return pathFromProperty ? " (named by -Dvertx-config-path)" : " (named by VERTX_CONFIG_PATH)";
  }

  private static void checkLogLevel(String name, String value) {
    if (!value.isEmpty() && !LOG_LEVELS.contains(value.toUpperCase(Locale.ROOT))) {
      throw new ConfigException("Invalid configuration: environment variable " + name + " = \"" + value
        + "\"; expected a log level: OFF, ERROR, WARN, INFO, DEBUG, TRACE or ALL (any case; empty keeps INFO)");
    }
  }

  private void override(String key, Object value, String origin) {
    if (EchoConfig.key(key) == null) {
      boolean environment = origin.startsWith("environment");
      TreeSet<String> known = new TreeSet<>();
      EchoConfig.KEYS.forEach(k -> known.add(environment ? k.envName() : k.propertyName()));
      if (environment) {
        known.addAll(LOGGING_ENV);
      }
      String name = origin.substring(origin.lastIndexOf(' ') + 1);
      throw new ConfigException("Invalid configuration: unknown " + origin + EchoConfig.suggestion(name, known, ""));
    }
    EchoConfig.put(overrides, key, value);
    origins.put(key, origin);
  }

  private static String keyForEnv(String name) {
    for (Key<?> key : EchoConfig.KEYS) {
      if (key.envName().equals(name)) {
        return key.name();
      }
    }
    return name;
  }

  private static String keyForProperty(String name) {
    return name.substring(Key.PROPERTY_PREFIX.length());
  }
}
