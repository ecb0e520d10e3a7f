package io.vertxecho.config;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

@DisplayName("The launcher's -conf, -options and -deployment-options: read, or refused with the reason")
class LauncherOptionsTest {

  @TempDir
  Path dir;

  @Test
  @DisplayName("the launcher's own parser finds each option under any of its names, with its value")
  void foundByTheLaunchersParser() {
    String[] args = {"--conf", "{\"x\": 1}", "-vertx-options", "opts.json", "-cluster", "-deployment-options", "{}"};
    LauncherOptions options = LauncherOptions.of(new VertxApplication(args), args);
    assertRefused("Invalid configuration: -conf '{\"x\": 1}': ", () -> options.conf(null));
    assertRefused("Invalid configuration: -options 'opts.json': no such file, and not a JSON object",
      () -> options.vertxOptions(null));
    assertRefused("Invalid configuration: -deployment-options '{}': ", () -> options.deploymentOptions(null));
  }

  @Test
  @DisplayName("an option not given is no mistake, and a command line that does not parse is left to the launcher")
  void notGiven() {
    String[] args = {"-instances", "3"};
    assertNull(LauncherOptions.of(new VertxApplication(args), args).conf(null));
    String[] bad = {"-conf"};
    assertNull(LauncherOptions.of(new VertxApplication(bad), bad).conf(null));
  }

  @Test
  @DisplayName("the reason the launcher could not read it: no such file, a directory, a file or a string that is not a JSON object")
  void unreadable() throws Exception {
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"port\": 7000,");
    Path array = Files.writeString(dir.resolve("array.json"), "[1, 2]");
    assertRefused("Invalid configuration: -conf 'conf/missing.json': no such file, and not a JSON object", () -> conf("conf/missing.json"));
    assertRefused("Invalid configuration: -conf '" + dir + "': a directory, not a JSON file", () -> conf(dir.toString()));
    assertRefused("Invalid configuration: -conf '" + broken + "': the file is not a JSON object: Unexpected end-of-input", () -> conf(broken.toString()));
    assertRefused("Invalid configuration: -conf '" + array + "': the file is not a JSON object: it holds a JsonArray", () -> conf(array.toString()));
    assertRefused("Invalid configuration: -conf '{\"port\": 7000,': not a JSON object: Unexpected end-of-input", () -> conf("{\"port\": 7000,"));
  }

  @Test
  @DisplayName("-options: a field VertxOptions does not have, or a value it would not keep, is refused")
  void unknownVertxOptions() {
    assertRefused("Invalid configuration: -options: eventLoopPoolSise is not a field of VertxOptions",
      () -> vertxOptions("{\"eventLoopPoolSise\": 4}"));
    assertRefused("Invalid configuration: -options: eventLoopPoolSize = \"4\" is not a value VertxOptions takes (it would use ",
      () -> vertxOptions("{\"eventLoopPoolSize\": \"4\"}"));
    assertRefused("Invalid configuration: -options: eventLoopPoolSize = 4.5 is not a value VertxOptions takes (it would use 4)",
      () -> vertxOptions("{\"eventLoopPoolSize\": 4.5}"));
    assertRefused("Invalid configuration: -options: VertxOptions cannot take {\"maxEventLoopExecuteTimeUnit\":\"seconds\"}: ",
      () -> vertxOptions("{\"maxEventLoopExecuteTimeUnit\": \"seconds\"}"));
  }

  @Test
  @DisplayName("-options: every field Vert.x has, the repository's config/vertx-options.json and metrics options pass unchanged")
  void knownVertxOptions() throws Exception {
    JsonObject everyField = new VertxOptions().toJson();
    assertEquals(everyField, vertxOptions(everyField.encode()));
    JsonObject shipped = new JsonObject(Files.readString(Path.of("config", "vertx-options.json")));
    assertEquals(shipped, vertxOptions(shipped.encode()));
    JsonObject metrics = new JsonObject().put("eventLoopPoolSize", 4L).put("blockedThreadCheckInterval", 1000.0)
      .put("metricsOptions", new MicrometerMetricsOptions().setEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)).toJson());
    assertEquals(metrics, vertxOptions(metrics.encode()));
  }

  @Test
  @DisplayName("-deployment-options: every field DeploymentOptions has passes, a field it does not have is refused")
  void deploymentOptions() {
    JsonObject everyField = new DeploymentOptions().toJson();
    assertEquals(everyField, given(LauncherOptions.DEPLOYMENT_OPTIONS, everyField.encode()).deploymentOptions(everyField));
    assertRefused("Invalid configuration: -deployment-options: instancez is not a field of DeploymentOptions",
      () -> given(LauncherOptions.DEPLOYMENT_OPTIONS, "{}").deploymentOptions(new JsonObject().put("instancez", 2)));
  }

  /** What the launcher gives the hook for a -conf it could not read: null. */
  private static JsonObject conf(String value) {
    return given(LauncherOptions.CONF, value).conf(null);
  }

  /** -options as the launcher reads a JSON string: the parsed object. */
  private static JsonObject vertxOptions(String json) {
    return given(LauncherOptions.OPTIONS, json).vertxOptions(new JsonObject(json));
  }

  private static LauncherOptions given(String option, String value) {
    return new LauncherOptions(Map.of(option, value), false);
  }

  private static void assertRefused(String messageStart, Runnable step) {
    String message = assertThrows(ConfigException.class, step::run).getMessage();
    assertEquals(messageStart, message.substring(0, Math.min(messageStart.length(), message.length())), message);
  }
}
