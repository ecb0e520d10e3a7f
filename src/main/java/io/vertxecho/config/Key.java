package io.vertxecho.config;

import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * One configuration key, declared once in {@link EchoConfig}: its dotted name, default, what it allows, whether a
 * running node applies a change of it, and a one-line doc. Parsing, validation, the environment variable and
 * system property that set it, the restart set and the table in {@code docs/configuration.md} follow from it.
 */
public final class Key<T> {

  static final String ENV_PREFIX = "ECHO_";
  static final String PROPERTY_PREFIX = "echo.";

  /** When a running node applies a change of the key. */
  public enum Applies { LIVE, RESTART }

  /** A value that the key does not allow; the message says what it allows. */
  static final class Invalid extends RuntimeException {
    Invalid(String allowed) {
      super(allowed, null, false, false);
    }
  }

  private final String name;
  private final String allowed;
  private final Function<Object, T> parser;
  private final T byDefault;
  private final Function<Map<Key<?>, Object>, T> derivedDefault;
  private final String defaultDoc;
  private final Applies applies;
  private final String doc;

  private Key(String name, String allowed, Function<Object, T> parser, T byDefault,
              Function<Map<Key<?>, Object>, T> derivedDefault, String defaultDoc, Applies applies, String doc) {
    this.name = name;
    this.allowed = allowed;
    this.parser = parser;
    this.byDefault = byDefault;
    this.derivedDefault = derivedDefault;
    this.defaultDoc = defaultDoc;
    this.applies = applies;
    this.doc = doc;
  }

  /** A key whose values {@code parser} reads, throwing {@link Invalid} for one it does not allow. */
  static <T> Key<T> of(String name, T byDefault, String allowed, Function<Object, T> parser, Applies applies, String doc) {
    return new Key<>(name, allowed, parser, byDefault, null, null, applies, doc);
  }

  static Key<Integer> integer(String name, int byDefault, int min, int max, Applies applies, String doc) {
    String allowed = "an integer from " + min + " to " + max;
    return of(name, byDefault, allowed, value -> {
      long parsed;
      if (value instanceof Integer || value instanceof Long) {
        parsed = ((Number) value).longValue();
      } else if (value instanceof String text && text.trim().matches("-?\\d{1,18}")) {
        parsed = Long.parseLong(text.trim());
      } else {
        throw new Invalid(allowed);
      }
      if (parsed < min || parsed > max) {
        throw new Invalid(allowed);
      }
      return (int) parsed;
    }, applies, doc);
  }

  static Key<Boolean> bool(String name, boolean byDefault, Applies applies, String doc) {
    return of(name, byDefault, "true or false", value -> {
      if (value instanceof Boolean b) {
        return b;
      }
      if (value instanceof String text && (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false"))) {
        return Boolean.parseBoolean(text);
      }
      throw new Invalid("true or false");
    }, applies, doc);
  }

  /** A single-line string; {@code emptyAllowed} false also refuses a blank one. */
  static Key<String> string(String name, String byDefault, boolean emptyAllowed, Applies applies, String doc) {
    String allowed = emptyAllowed ? "a single-line string" : "a non-empty single-line string";
    return of(name, byDefault, allowed, value -> {
      if (value instanceof String text && (emptyAllowed || !text.isBlank()) && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
        return text;
      }
      throw new Invalid(allowed);
    }, applies, doc);
  }

  /** A file path, surrounding spaces dropped; empty when not set. Whether the file must exist is a rule of {@link EchoConfig}. */
  static Key<String> path(String name, Applies applies, String doc) {
    Key<String> text = string(name, "", true, applies, doc);
    return of(name, "", text.allowed, value -> text.parser.apply(value).strip(), applies, doc);
  }

  /** One of an enum's constants, named in lower case (any case accepted). */
  static <E extends Enum<E>> Key<E> choice(String name, E byDefault, Applies applies, String doc) {
    List<String> names = new ArrayList<>();
    for (E constant : byDefault.getDeclaringClass().getEnumConstants()) {
      names.add(word(constant));
    }
    String allowed = "one of: " + String.join(", ", names);
    return of(name, byDefault, allowed, value -> {
      for (E constant : byDefault.getDeclaringClass().getEnumConstants()) {
        if (value instanceof String text && word(constant).equalsIgnoreCase(text.trim())) {
          return constant;
        }
      }
      throw new Invalid(allowed);
    }, applies, doc);
  }

  /** The items of a list given as a JSON array or as a comma-separated string (environment, system property). */
  static List<?> items(Object value, String allowed) {
    if (value instanceof JsonArray array) {
      return array.getList();
    }
    if (value instanceof String text) {
      return text.isBlank() ? List.of() : List.of(text.split(","));
    }
    throw new Invalid(allowed);
  }

  /** This key with a default that depends on keys declared before it; {@code described} says which in the docs. */
  Key<T> defaultFrom(String described, Function<Map<Key<?>, Object>, T> rule) {
    return new Key<>(name, allowed, parser, null, rule, described, applies, doc);
  }

  /** This key with its default described in words in the docs (e.g. what an empty value means). */
  Key<T> defaultDescribed(String described) {
    return new Key<>(name, allowed, parser, byDefault, derivedDefault, described, applies, doc);
  }

  /** The dotted name, as in the config file: {@code http.port}. */
  public String name() {
    return name;
  }

  /** The environment variable that sets it: {@code http.port -> ECHO_HTTP_PORT}, {@code maxLineBytes -> ECHO_MAX_LINE_BYTES}. */
  public String envName() {
    return ENV_PREFIX + name.replaceAll("([a-z])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /** The system property that sets it: {@code echo.http.port}. */
  public String propertyName() {
    return PROPERTY_PREFIX + name;
  }

  /** What a value may be, as the error for a refused value says it. */
  public String allowed() {
    return allowed;
  }

  public Applies applies() {
    return applies;
  }

  public String doc() {
    return doc;
  }

  /** The default in words where the value alone does not say it, else null. */
  public String defaultDoc() {
    return defaultDoc;
  }

  /** The built-in default as JSON, or null when it {@linkplain #defaultFrom depends on other keys}. */
  public Object defaultJson() {
    return byDefault == null ? null : json(byDefault);
  }

  T parse(Object value) {
    return parser.apply(value);
  }

  /** The default where none is given: the built-in one, or the one the earlier keys' values make. */
  T defaultFor(Map<Key<?>, Object> earlier) {
    return derivedDefault != null ? derivedDefault.apply(earlier) : byDefault;
  }

  /** A value of this key as JSON: a choice as its word, a list as an array (a verticle entry as its object). */
  Object json(Object value) {
    if (value instanceof Enum<?> constant) {
      return word(constant);
    }
    if (value instanceof List<?> list) {
      JsonArray array = new JsonArray();
      list.forEach(item -> array.add(item instanceof VerticleEntry entry ? entry.toJson() : item));
      return array;
    }
    return value;
  }

  /** An enum constant as config names it: {@code LINE -> line}. */
  public static String word(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return name;
  }
}
