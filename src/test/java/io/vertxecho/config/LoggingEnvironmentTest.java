package io.vertxecho.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static io.vertxecho.config.EchoConfig.PORT;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoggingEnvironmentTest {

  @Test
  @DisplayName("ECHO_CONNECTION_LOG and ECHO_LOG_LEVEL, read by logback.xml, do not fail the config check")
  void loggingVariablesAreNotConfigKeys(Vertx vertx) {
    Map<String, String> env = Map.of("ECHO_CONNECTION_LOG", "OFF", "ECHO_LOG_LEVEL", "WARN", "ECHO_PORT", "9123");

    EchoConfig config = new ConfigLoader(new JsonObject(), env, new Properties()).load();

    assertEquals(9123, config.get(PORT));
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({"ECHO_LOG_LEVEL, verbose", "ECHO_CONNECTION_LOG, no", "ECHO_LOG_LEVEL, ' info'"})
  @DisplayName("a log level logback does not know (it would log at DEBUG) is refused with one line naming the variable and the levels")
  void unknownLogLevel(String name, String value) {
    ConfigException refused = assertThrows(ConfigException.class,
      () -> new ConfigLoader(new JsonObject(), Map.of(name, value), new Properties()));

    assertEquals("Invalid configuration: environment variable " + name + " = \"" + value + "\"; expected a log level: "
      + "OFF, ERROR, WARN, INFO, DEBUG, TRACE or ALL (any case; empty keeps INFO)", refused.getMessage());
  }

  @ParameterizedTest(name = "ECHO_LOG_LEVEL={0}")
  @ValueSource(strings = {"", "warn", "Off", "TRACE"})
  @DisplayName("log levels in any case, and an empty value (INFO), are taken")
  void knownLogLevels(String value) {
    assertDoesNotThrow(() -> new ConfigLoader(new JsonObject(), Map.of("ECHO_LOG_LEVEL", value), new Properties()));
  }

  @Test
  @DisplayName("a typo of a logging variable is refused naming the logging variable it is close to")
  void typoOfALoggingVariable() {
    ConfigException level = assertThrows(ConfigException.class,
      () -> new ConfigLoader(new JsonObject(), Map.of("ECHO_LOG_LEVELS", "INFO"), new Properties()));
    assertEquals("Invalid configuration: unknown environment variable ECHO_LOG_LEVELS; did you mean ECHO_LOG_LEVEL?",
      level.getMessage());
    ConfigException connections = assertThrows(ConfigException.class,
      () -> new ConfigLoader(new JsonObject(), Map.of("ECHO_CONECTION_LOG", "OFF"), new Properties()));
    assertEquals("Invalid configuration: unknown environment variable ECHO_CONECTION_LOG; did you mean ECHO_CONNECTION_LOG?",
      connections.getMessage());
  }
}
