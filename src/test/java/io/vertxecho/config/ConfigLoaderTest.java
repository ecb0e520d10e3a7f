package io.vertxecho.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.vertxecho.config.EchoConfig.ACCESS_LOG;
import static io.vertxecho.config.EchoConfig.BRIDGE_CONNECTION_EVENTS_PER_SECOND;
import static io.vertxecho.config.EchoConfig.BRIDGE_ENABLED;
import static io.vertxecho.config.EchoConfig.GOODBYE;
import static io.vertxecho.config.EchoConfig.GREETING;
import static io.vertxecho.config.EchoConfig.HTTP_PORT;
import static io.vertxecho.config.EchoConfig.IDLE_TIMEOUT_SECONDS;
import static io.vertxecho.config.EchoConfig.INSTANCES;
import static io.vertxecho.config.EchoConfig.MAX_LINE_BYTES;
import static io.vertxecho.config.EchoConfig.MODE;
import static io.vertxecho.config.EchoConfig.PORT;
import static io.vertxecho.config.EchoConfig.PROXY_PROTOCOL;
import static io.vertxecho.config.EchoConfig.QUIT_COMMANDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
@DisplayName("Config: layered sources and validation")
class ConfigLoaderTest {

  @TempDir
  Path dir;

  @Test
  @DisplayName("built-in defaults: line mode on 9999, the seeds' greeting, one instance per core, HTTP on 8080")
  void defaults(Vertx vertx) throws Exception {
    EchoConfig config = load(vertx, "{}", new JsonObject(), Map.of(), new Properties());
    assertEquals(9999, config.get(PORT));
    assertEquals(EchoConfig.Mode.LINE, config.get(MODE));
    assertEquals("Welcome to my server", config.get(GREETING));
    assertEquals("Bye", config.get(GOODBYE));
    assertEquals(List.of("exit", "quit"), config.get(QUIT_COMMANDS));
    assertEquals(Runtime.getRuntime().availableProcessors(), config.get(INSTANCES));
    assertEquals(65536, config.get(MAX_LINE_BYTES));
    assertEquals(8080, config.get(HTTP_PORT));
  }

  @Test
  @DisplayName("raw mode's default greeting is empty")
  void rawModeGreeting(Vertx vertx) throws Exception {
    assertEquals("", load(vertx, "{\"mode\": \"raw\"}", new JsonObject(), Map.of(), new Properties()).get(GREETING));
  }

  @Test
  @DisplayName("later sources win: defaults < file < -conf < ECHO_* environment < -Decho.* properties < -instances")
  void precedence(Vertx vertx) throws Exception {
    String file = "{\"port\": 1001, \"greeting\": \"file\", \"goodbye\": \"file\", \"maxLineBytes\": 100, \"idleTimeoutSeconds\": 7, \"http\": {\"port\": 1101}}";
    JsonObject conf = new JsonObject().put("port", 1002).put("goodbye", "conf").put("maxLineBytes", 200);
    Map<String, String> env = Map.of("ECHO_PORT", "1003", "ECHO_GOODBYE", "env", "ECHO_HTTP_PORT", "1103",
      "ECHO_QUIT_COMMANDS", "stop, Halt", "ECHO_INSTANCES", "5");
    Properties properties = new Properties();
    properties.setProperty("echo.port", "1004");
    EchoConfig config = new ConfigLoader(conf, env, withFile(properties, file)).launcherInstances(3).load();
    assertEquals(1004, config.get(PORT));
    assertEquals("env", config.get(GOODBYE));
    assertEquals(200, config.get(MAX_LINE_BYTES));
    assertEquals("file", config.get(GREETING));
    assertEquals(7, config.get(IDLE_TIMEOUT_SECONDS));
    assertEquals(1103, config.get(HTTP_PORT));
    assertEquals(List.of("stop", "halt"), config.get(QUIT_COMMANDS));
    assertEquals(3, config.get(INSTANCES));
  }

  @Test
  @DisplayName("the canonical JSON reads back into an equal config")
  void roundTrip(Vertx vertx) throws Exception {
    EchoConfig config = load(vertx, "{\"mode\": \"raw\", \"instances\": 3}", new JsonObject(), Map.of(), new Properties());
    assertEquals(config, EchoConfig.fromJson(config.toJson()));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @DisplayName("a bad value in the file names the key, the value and what is allowed")
  @CsvSource(delimiter = '|', value = {
    "port|\"abc\"|port = \"abc\"; expected an integer from 0 to 65535",
    "port|70000|port = 70000; expected an integer from 0 to 65535",
    "instances|0|instances = 0; expected an integer from 1 to 1024",
    "mode|\"fast\"|mode = \"fast\"; expected one of: line, raw",
    "closeOnEmptyLine|\"yes\"|closeOnEmptyLine = \"yes\"; expected true or false",
    "maxLineBytes|-1|maxLineBytes = -1; expected an integer from 1 to 67108864",
    "idleTimeoutSeconds|1.5|idleTimeoutSeconds = 1.5; expected an integer from 0 to 86400",
    "quitCommands|[\"good bye\"]|quitCommands = [\"good bye\"]; expected a list of non-empty words without spaces",
    "greeting|42|greeting = 42; expected a single-line string",
    "host|\"\"|host = \"\"; expected a non-empty single-line string",
    "maxConnectionsPerIp|-1|maxConnectionsPerIp = -1; expected an integer from 0 to 10000000",
    "bridge|{\"enabled\": \"on\"}|bridge.enabled = \"on\"; expected true or false",
    "bridge|{\"connectionEventsPerSecond\": -1}|bridge.connectionEventsPerSecond = -1; expected an integer from 0 to 100000",
  })
  void badValues(String key, String json, String message, Vertx vertx) {
    ConfigException error = assertThrows(ConfigException.class,
      () -> load(vertx, "{\"" + key + "\": " + json + "}", new JsonObject(), Map.of(), new Properties()));
    assertTrue(error.getMessage().startsWith("Invalid configuration: " + message), error.getMessage());
  }

  @Test
  @DisplayName("the bridge is on by default, and ECHO_BRIDGE_ENABLED / ECHO_BRIDGE_CONNECTION_EVENTS_PER_SECOND set its keys")
  void bridgeKeys(Vertx vertx) throws Exception {
    EchoConfig defaults = load(vertx, "{}", new JsonObject(), Map.of(), new Properties());
    assertTrue(defaults.get(BRIDGE_ENABLED));
    assertEquals(100, defaults.get(BRIDGE_CONNECTION_EVENTS_PER_SECOND));
    EchoConfig off = load(vertx, "{}", new JsonObject(),
      Map.of("ECHO_BRIDGE_ENABLED", "false", "ECHO_BRIDGE_CONNECTION_EVENTS_PER_SECOND", "5"), new Properties());
    assertEquals(false, off.get(BRIDGE_ENABLED));
    assertEquals(5, off.get(BRIDGE_CONNECTION_EVENTS_PER_SECOND));
  }

  @Test
  @DisplayName("a bad value from the environment names the variable")
  void badEnvironmentValue(Vertx vertx) {
    ConfigException error = assertThrows(ConfigException.class,
      () -> load(vertx, "{}", new JsonObject(), Map.of("ECHO_HTTP_PORT", "eighty"), new Properties()));
    assertEquals("Invalid configuration: http.port = \"eighty\" (from environment variable ECHO_HTTP_PORT);"
      + " expected an integer from 0 to 65535", error.getMessage());
  }

  @Test
  @DisplayName("an unknown key, environment variable or system property is refused naming the one it is a typo of")
  void unknownKeys(Vertx vertx) {
    ConfigException file = assertThrows(ConfigException.class,
      () -> load(vertx, "{\"greting\": \"hi\"}", new JsonObject(), Map.of(), new Properties()));
    assertEquals("Invalid configuration: unknown key 'greting'; did you mean 'greeting'?", file.getMessage());
    ConfigException nested = assertThrows(ConfigException.class,
      () -> load(vertx, "{\"http\": {\"prot\": 1}}", new JsonObject(), Map.of(), new Properties()));
    assertEquals("Invalid configuration: unknown key 'http.prot'; did you mean 'http.port'?", nested.getMessage());
    ConfigException env = assertThrows(ConfigException.class,
      () -> load(vertx, "{}", new JsonObject(), Map.of("ECHO_PROT", "1"), new Properties()));
    assertEquals("Invalid configuration: unknown environment variable ECHO_PROT; did you mean ECHO_PORT?", env.getMessage());
    ConfigException logLevel = assertThrows(ConfigException.class,
      () -> load(vertx, "{}", new JsonObject(), Map.of("ECHO_LOG_LEVLE", "DEBUG"), new Properties()));
    assertEquals("Invalid configuration: unknown environment variable ECHO_LOG_LEVLE; did you mean ECHO_LOG_LEVEL?", logLevel.getMessage());
    Properties properties = new Properties();
    properties.setProperty("echo.maxLineByte", "1");
    ConfigException property = assertThrows(ConfigException.class,
      () -> load(vertx, "{}", new JsonObject(), Map.of(), properties));
    assertEquals("Invalid configuration: unknown system property echo.maxLineByte; did you mean echo.maxLineBytes?", property.getMessage());
  }

  @Test
  @DisplayName("a name close to no key is refused pointing to where the keys are listed, not with the list itself")
  void unknownKeyCloseToNone(Vertx vertx) {
    ConfigException error = assertThrows(ConfigException.class,
      () -> load(vertx, "{}", new JsonObject(), Map.of("ECHO_FROBNICATE", "1"), new Properties()));
    assertEquals("Invalid configuration: unknown environment variable ECHO_FROBNICATE"
      + " (java -jar vertx-echo.jar --help and docs/configuration.md list the keys)", error.getMessage());
  }

  @Test
  @DisplayName("a config file that is not JSON, or missing when named explicitly, is refused with its path")
  void unreadableFile(Vertx vertx) {
    ConfigException broken = assertThrows(ConfigException.class,
      () -> load(vertx, "{\"port\": ", new JsonObject(), Map.of(), new Properties()));
    assertTrue(broken.getMessage().startsWith("Invalid configuration: cannot read config file " + dir.resolve("config.json")),
      broken.getMessage());
    Properties missing = new Properties();
    missing.setProperty("vertx-config-path", dir.resolve("absent.json").toString());
    ConfigException absent = assertThrows(ConfigException.class,
      () -> new ConfigLoader(new JsonObject(), Map.of(), missing).load());
    assertEquals("Invalid configuration: cannot read config file " + dir.resolve("absent.json") + " (named by -Dvertx-config-path):"
      + " no such file", absent.getMessage());
    ConfigException absentFromEnv = assertThrows(ConfigException.class,
      () -> new ConfigLoader(new JsonObject(), Map.of("VERTX_CONFIG_PATH", "absent.json"), new Properties()).load());
    assertEquals("Invalid configuration: cannot read config file absent.json (named by VERTX_CONFIG_PATH): no such file",
      absentFromEnv.getMessage());
  }

  @Test
  @DisplayName("the TLS port is off by default; on, it needs readable certificate and key files, and trust for client auth")
  void tlsSettings(Vertx vertx) throws Exception {
    assertFalse(load(vertx, "{}", new JsonObject(), Map.of(), new Properties()).tls().enabled());
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    Map<String, String> env = Map.of("ECHO_TLS_PORT", "9443", "ECHO_TLS_CERT_PATH", cert.toString(),
      "ECHO_TLS_KEY_PATH", dir.resolve("absent.pem").toString());
    ConfigException noKey = assertThrows(ConfigException.class, () -> load(vertx, "{}", new JsonObject(), env, new Properties()));
    assertEquals("Invalid configuration: tls.keyPath = \"" + dir.resolve("absent.pem") + "\" (from environment variable"
      + " ECHO_TLS_KEY_PATH); expected a readable PEM private key file (required with tls.port)", noKey.getMessage());
    String file = "{\"tls\": {\"port\": 9443, \"certPath\": \"" + cert + "\", \"keyPath\": \"" + cert + "\", \"clientAuth\": \"required\"}}";
    ConfigException noTrust = assertThrows(ConfigException.class, () -> load(vertx, file, new JsonObject(), Map.of(), new Properties()));
    assertTrue(noTrust.getMessage().startsWith("Invalid configuration: tls.trustPath = \"\"; expected a readable PEM file"),
      noTrust.getMessage());
    ConfigException badAuth = assertThrows(ConfigException.class,
      () -> load(vertx, "{}", new JsonObject(), Map.of("ECHO_TLS_CLIENT_AUTH", "maybe"), new Properties()));
    assertTrue(badAuth.getMessage().endsWith("expected one of: none, request, required"), badAuth.getMessage());
  }

  @Test
  @DisplayName("cluster.interface takes an IPv4 pattern; cluster.tls.* files go together")
  void clusterSecuritySettings(Vertx vertx) throws Exception {
    assertEquals("10.0.*.4-18", load(vertx, "{}", new JsonObject(), Map.of("ECHO_CLUSTER_INTERFACE", "10.0.*.4-18"), new Properties())
      .get(EchoConfig.CLUSTER_INTERFACE));
    ConfigException badInterface = assertThrows(ConfigException.class,
      () -> load(vertx, "{}", new JsonObject(), Map.of("ECHO_CLUSTER_INTERFACE", "eth0"), new Properties()));
    assertTrue(badInterface.getMessage().startsWith("Invalid configuration: cluster.interface = \"eth0\" (from environment variable"
      + " ECHO_CLUSTER_INTERFACE); expected an IPv4 address"), badInterface.getMessage());
    Path pem = Files.writeString(dir.resolve("cluster.pem"), "x");
    ConfigException alone = assertThrows(ConfigException.class,
      () -> load(vertx, "{}", new JsonObject(), Map.of("ECHO_CLUSTER_TLS_CERT_PATH", pem.toString()), new Properties()));
    assertTrue(alone.getMessage().startsWith("Invalid configuration: cluster.tls.keyPath = \"\"; expected a readable PEM private key"
      + " file (cluster.tls.certPath, keyPath and trustPath go together)"), alone.getMessage());
  }

  @Test
  @DisplayName("a running node keeps its restart keys, nested ones (cluster.tls.*) included")
  void keepsNestedRestartKeys() throws Exception {
    Path pem = Files.writeString(dir.resolve("any.pem"), "x");
    EchoConfig running = EchoConfig.fromJson(EchoConfig.defaults().mergeIn(new JsonObject().put("cluster", new JsonObject()
      .put("tls", new JsonObject().put("certPath", pem.toString()).put("keyPath", pem.toString()).put("trustPath", pem.toString()))), true));
    EchoConfig next = EchoConfig.fromJson(EchoConfig.defaults().put("maxLineBytes", 10));
    EchoConfig applied = next.keepingRestartKeysOf(running);
    assertEquals(running.clusterTls(), applied.clusterTls());
    assertEquals(10, applied.get(MAX_LINE_BYTES));
  }

  @Test
  @DisplayName("VERTX_CONFIG_PATH chooses the config file")
  void configPathFromEnvironment(Vertx vertx) throws Exception {
    Path file = Files.writeString(dir.resolve("other.json"), "{\"port\": 4242}");
    EchoConfig config = new ConfigLoader(new JsonObject(), Map.of("VERTX_CONFIG_PATH", file.toString()), new Properties()).load();
    assertEquals(4242, config.get(PORT));
  }

  @Test
  @DisplayName("environment variable names follow the keys: http.port is ECHO_HTTP_PORT, maxLineBytes is ECHO_MAX_LINE_BYTES")
  void environmentNames() {
    assertEquals("ECHO_HTTP_PORT", EchoConfig.HTTP_PORT.envName());
    assertEquals("ECHO_MAX_LINE_BYTES", EchoConfig.MAX_LINE_BYTES.envName());
  }

  @Test
  @DisplayName("proxyProtocol and accessLog are off by default, set by ECHO_PROXY_PROTOCOL and ECHO_ACCESS_LOG, and checked")
  void proxyProtocolAndAccessLog(Vertx vertx) throws Exception {
    EchoConfig defaults = load(vertx, "{}", new JsonObject(), Map.of(), new Properties());
    assertEquals(List.of(false, false), List.of(defaults.get(PROXY_PROTOCOL), defaults.get(ACCESS_LOG)));
    EchoConfig on = load(vertx, "{}", new JsonObject(), Map.of("ECHO_PROXY_PROTOCOL", "true", "ECHO_ACCESS_LOG", "TRUE"), new Properties());
    assertEquals(List.of(true, true), List.of(on.get(PROXY_PROTOCOL), on.get(ACCESS_LOG)));
    ConfigException error = assertThrows(ConfigException.class,
      () -> load(vertx, "{}", new JsonObject(), Map.of("ECHO_PROXY_PROTOCOL", "v2"), new Properties()));
    assertEquals("Invalid configuration: proxyProtocol = \"v2\" (from environment variable ECHO_PROXY_PROTOCOL); expected true or false",
      error.getMessage());
    assertTrue(EchoConfig.RESTART_KEYS.containsAll(List.of("proxyProtocol", "accessLog")));
  }

  @Test
  @DisplayName("a change of the file that -conf, the environment, a system property or -instances hides is named, with its source")
  void maskedFileChanges() throws Exception {
    Properties properties = new Properties();
    properties.setProperty("echo.http.port", "8181");
    ConfigLoader loader = new ConfigLoader(new JsonObject().put("greeting", "conf"), Map.of("ECHO_GOODBYE", "env"),
      withFile(properties, "{}")).launcherInstances(4);
    JsonObject before = new JsonObject().put("greeting", "a").put("goodbye", "a").put("instances", 2).put("mode", "line")
      .put("http", new JsonObject().put("port", 1));
    JsonObject after = new JsonObject().put("greeting", "b").put("goodbye", "b").put("instances", 3).put("mode", "raw")
      .put("http", new JsonObject().put("port", 2));
    assertEquals(List.of(
      "goodbye a -> b (environment variable ECHO_GOODBYE sets it to env)",
      "greeting a -> b (launcher option -conf sets it to conf)",
      "http.port 1 -> 2 (system property echo.http.port sets it to 8181)",
      "instances 2 -> 3 (launcher option -instances sets it to 4)"), loader.masked(before, after));
    assertEquals(List.of(), loader.masked(after, after));
  }

  @Test
  @DisplayName("-conf naming the config file itself is that file, so its later changes apply; another file stays a layer above it")
  void launcherConfNamingTheFile() throws Exception {
    Properties properties = withFile(new Properties(), "{\"greeting\": \"file\"}");
    String file = properties.getProperty("vertx-config-path");
    JsonObject conf = new JsonObject().put("greeting", "file");
    JsonObject changed = new JsonObject().put("greeting", "changed");
    ConfigLoader same = new ConfigLoader(conf, Map.of(), properties).launcherConfFile(dir.resolve(".").resolve("config.json").toString());
    assertEquals("changed", same.merge(changed).getString("greeting"));
    assertEquals(List.of(), same.masked(conf, changed));
    Path other = Files.writeString(dir.resolve("other.json"), "{\"greeting\": \"file\"}");
    ConfigLoader layered = new ConfigLoader(conf, Map.of(), properties).launcherConfFile(other.toString());
    assertEquals("file", layered.merge(changed).getString("greeting"));
    assertEquals("file", new ConfigLoader(conf, Map.of(), properties).launcherConfFile(file + ".missing").merge(changed).getString("greeting"));
  }

  private EchoConfig load(Vertx vertx, String file, JsonObject conf, Map<String, String> env, Properties properties) throws Exception {
    return new ConfigLoader(conf, env, withFile(properties, file)).load();
  }

  private Properties withFile(Properties properties, String content) throws Exception {
    Path file = Files.writeString(dir.resolve("config.json"), content);
    Properties result = new Properties();
    result.putAll(properties);
    result.setProperty("vertx-config-path", file.toString());
    return result;
  }
}
