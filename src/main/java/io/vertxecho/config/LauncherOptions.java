package io.vertxecho.config;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.VertxApplication;
import io.vertxecho.internal.VertxInternals;
import picocli.CommandLine;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The launcher's JSON options ({@code -conf}, {@code -options}, {@code -deployment-options}), held to the config's
 * standard. The launcher reads each as a file, else as a JSON string, and when neither works it logs a warning and
 * starts without it; Vert.x's options converters skip a field they do not know or whose value has the wrong type.
 * Either would start a node on settings its operator did not ask for: here both stop startup with one line.
 */
public final class LauncherOptions {

  public static final String CONF = "-conf";
  public static final String OPTIONS = "-options";
  public static final String DEPLOYMENT_OPTIONS = "-deployment-options";
  public static final String CLUSTER = "-cluster";

  private final Map<String, String> given;
  private final boolean clustered;

  /**
   * @param given     the value of each of these options the command line gave, by option name
   * @param clustered whether it gave {@code -cluster}
   */
  public LauncherOptions(Map<String, String> given, boolean clustered) {
    this.given = Map.copyOf(given);
    this.clustered = clustered;
  }

  /** The JSON options among the launcher's arguments, found by the launcher's own parser (none when they do not parse). */
  public static LauncherOptions of(VertxApplication application, String[] args) {
    Map<String, String> given = new HashMap<>();
    boolean clustered = false;
    try {
      CommandLine.ParseResult parsed = VertxInternals.parseLauncherArguments(application, args);
      for (String option : List.of(CONF, OPTIONS, DEPLOYMENT_OPTIONS)) {
        if (parsed.hasMatchedOption(option)) {
          given.put(option, parsed.matchedOptionValue(option, ""));
        }
      }
      clustered = parsed.hasMatchedOption(CLUSTER);
    } catch (CommandLine.ParameterException e) {
      // the launcher reports a command line that does not parse, and does not start
    }
    return new LauncherOptions(given, clustered);
  }

  /** Whether the command line asks for a cluster ({@code -cluster}). */
  public boolean clustered() {
    return clustered;
  }

  /**
   * Refuses a JSON option the launcher could read neither as a JSON file nor as a JSON object, before the launcher
   * tries (it would log a warning first, then start without it).
   */
  public LauncherOptions requireReadable() {
    given.forEach((option, value) -> require(option, readable(value)));
    return this;
  }

  /** The launcher's reading of a JSON option: a file holding a JSON object, else a JSON object; null when neither. */
  private static JsonObject readable(String value) {
    try {
      return new JsonObject(Files.readString(Path.of(value)));
    } catch (InvalidPathException | IOException | DecodeException | ClassCastException e) {
      // not a file of JSON: a JSON object, then
    }
    try {
      return new JsonObject(value);
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  /** The value the command line gave {@code option}, or null. */
  public String given(String option) {
    return given.get(option);
  }

  /** {@code -conf} as the launcher read it: {@code null} only when it was not given. */
  public JsonObject conf(JsonObject read) {
    return require(CONF, read);
  }

  /** {@code -options} as the launcher read it, every field one that {@link VertxOptions} takes, with its value. */
  public JsonObject vertxOptions(JsonObject read) {
    return requireKnownFields(OPTIONS, require(OPTIONS, read), "VertxOptions", json -> new VertxOptions(json).toJson());
  }

  /** {@code -deployment-options} as the launcher read it, every field one that {@link DeploymentOptions} takes. */
  public JsonObject deploymentOptions(JsonObject read) {
    return requireKnownFields(DEPLOYMENT_OPTIONS, require(DEPLOYMENT_OPTIONS, read), "DeploymentOptions",
      json -> new DeploymentOptions(json).toJson());
  }

  private JsonObject require(String option, JsonObject read) {
    String value = given.get(option);
    if (read == null && value != null) {
      throw new ConfigException("Invalid configuration: " + option + " '" + value + "': " + whyUnreadable(value));
    }
    return read;
  }

  /** Why the launcher could read {@code value} neither as a JSON file nor as a JSON object (it tries both). */
  private static String whyUnreadable(String value) {
    try {
      Path file = Path.of(value);
      if (Files.isDirectory(file)) {
        return "a directory, not a JSON file";
      }
      if (Files.exists(file)) {
        return "the file is not a JSON object: " + notAnObject(Files.readString(file));
      }
    } catch (InvalidPathException e) {
      // not a path: a JSON string, then
    } catch (IOException e) {
      return "cannot read the file: " + e.getMessage();
    }
    String text = value.strip();
    return text.startsWith("{") || text.startsWith("[")
      ? "not a JSON object: " + notAnObject(text)
      : "no such file, and not a JSON object";
  }

  private static String notAnObject(String json) {
    try {
      return "it holds a " + Json.decodeValue(json).getClass().getSimpleName();
    } catch (DecodeException e) {
      return e.getMessage().replaceFirst("^Failed to decode: ?", "").lines().findFirst().orElse("");
    }
  }

  /**
   * Every top-level field of {@code options} must come back from Vert.x's reading of it ({@code read}) with the value
   * given. Nested option objects ({@code eventBusOptions}, {@code metricsOptions}, ...) are left to Vert.x.
   */
  private static JsonObject requireKnownFields(String option, JsonObject options, String type, UnaryOperator<JsonObject> read) {
    if (options == null) {
      return null;
    }
    JsonObject kept;
    try {
      kept = read.apply(options);
    } catch (RuntimeException e) {
      throw new ConfigException("Invalid configuration: " + option + ": " + type + " cannot take " + options.encode() + ": " + e.getMessage());
    }
    for (String field : options.fieldNames()) {
      Object value = options.getValue(field);
      if (!kept.containsKey(field) && value != null) {
        throw new ConfigException("Invalid configuration: " + option + ": " + field + " is not a field of " + type);
      }
      if (!(value instanceof JsonObject) && !sameValue(value, kept.getValue(field))) {
        throw new ConfigException("Invalid configuration: " + option + ": " + field + " = " + Json.encode(value)
          + " is not a value " + type + " takes (it would use " + Json.encode(kept.getValue(field)) + ")");
      }
    }
    return options;
  }

  private static boolean sameValue(Object given, Object kept) {
    if (given instanceof Number number && kept instanceof Number keptNumber) {
      return new BigDecimal(number.toString()).compareTo(new BigDecimal(keptNumber.toString())) == 0;
    }
    if (given instanceof JsonArray array && kept instanceof JsonArray keptArray) {
      return array.stream().allMatch(keptArray::contains);
    }
    return given == null || Objects.equals(given, kept);
  }
}
