package io.vertxecho.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoggingEnvironmentTest {

  @Test
  @DisplayName("ECHO_CONNECTION_LOG and ECHO_LOG_LEVEL, read by logback.xml, do not fail the config check")
  void loggingVariablesAreNotConfigKeys(Vertx vertx) {
    Map<String, String> env = Map.of("ECHO_CONNECTION_LOG", "OFF", "ECHO_LOG_LEVEL", "WARN", "ECHO_PORT", "9123");

    EchoConfig config = new ConfigLoader(new JsonObject(), env, new Properties()).load();

    assertEquals(9123, config.port());
  }
}
