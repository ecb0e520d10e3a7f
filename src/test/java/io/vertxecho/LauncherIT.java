package io.vertxecho;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.config.Key;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
@DisplayName("The built jar, started by the Vert.x launcher")
class LauncherIT {

  private static final String LISTENING = "vertx-echo listening on";

  @Test
  @DisplayName("a bad config value stops startup with one clear line, no stack trace, and exit code 78")
  void badConfigExitCode() {
    try (JarProcess server = JarProcess.start(Map.of("ECHO_PORT", "abc"))) {
      assertEquals(78, server.awaitExit(60));
      String output = server.output();
      assertTrue(output.contains("Invalid configuration: port = \"abc\" (from environment variable ECHO_PORT);"
        + " expected an integer from 0 to 65535"), output);
      assertEquals(1, output.strip().lines().count(), output);
      assertFalse(output.contains("\tat "), output);
    }
  }

  @Test
  @DisplayName("an unknown ECHO_* variable (a typo) stops startup with one line naming it and the variable it is close to, exit code 78")
  void unknownEnvironmentVariable() {
    assertRefused(JarProcess.startOnRandomPorts(Map.of("ECHO_PROT", "7000")),
      "Invalid configuration: unknown environment variable ECHO_PROT; did you mean ECHO_PORT?");
  }

  @Test
  @DisplayName("an unknown key (a typo) stops startup with one line naming it and the key it is close to, not the list of keys")
  void unknownKey() {
    assertRefused(JarProcess.startOnRandomPorts(Map.of(), "-conf", "{\"greting\": \"hi\"}"),
      "Invalid configuration: unknown key 'greting'; did you mean 'greeting'?");
  }

  @Test
  @DisplayName("a config file named by VERTX_CONFIG_PATH that is not there stops startup with one line: no such file")
  void missingConfigFile() {
    assertRefused(JarProcess.startOnRandomPorts(Map.of("VERTX_CONFIG_PATH", "conf/missing.json")),
      "Invalid configuration: cannot read config file conf/missing.json (named by VERTX_CONFIG_PATH): no such file");
  }

  @Test
  @DisplayName("a bad value given with -conf is refused the same way")
  void badConfValue() {
    try (JarProcess server = JarProcess.start(Map.of(), "-conf", "{\"mode\": \"fast\"}")) {
      assertEquals(78, server.awaitExit(60));
      assertTrue(server.output().contains("Invalid configuration: mode = \"fast\"; expected one of: line, raw"), server.output());
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
    "-conf|conf/missing.json|Invalid configuration: -conf 'conf/missing.json': no such file, and not a JSON object",
    "-conf|{\"port\": 7000,|Invalid configuration: -conf '{\"port\": 7000,': not a JSON object: Unexpected end-of-input within/between Object entries",
    "-options|{\"eventLoopPoolSise\": 4}|Invalid configuration: -options: eventLoopPoolSise is not a field of VertxOptions",
    "-instances|0|Invalid configuration: instances = 0 (from launcher option -instances); expected an integer from 1 to 1024",
  })
  @DisplayName("a launcher option that cannot be read or used stops startup (the launcher alone would start without it)")
  void badLauncherOption(String option, String value, String error) {
    assertRefused(JarProcess.startOnRandomPorts(Map.of(), option, value), error);
  }

  /** The node ends with exit code 78, its only output one line ending with {@code line} (a log line's end). */
  private static void assertRefused(JarProcess node, String line) {
    try (node) {
      assertEquals(78, node.awaitExit(60));
      assertTrue(node.output().strip().endsWith(line), node.output());
      assertEquals(1, node.output().strip().lines().count(), node.output());
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "clinet|vertx-echo: unknown command 'clinet'; did you mean 'client'?",
    "foo.Bar|vertx-echo: unknown command 'foo.Bar': a node takes options only (commands: client, bench, help)",
    "-cluster client|vertx-echo: the command 'client' comes first: java -jar vertx-echo.jar client [options]",
    "--port 7000|vertx-echo: unknown option '--port': port is a config key: ECHO_PORT=7000 java -jar vertx-echo.jar, or java -Decho.port=7000 -jar vertx-echo.jar",
    "--clustr|vertx-echo: unknown option '--clustr'; did you mean '--cluster'?",
    "--frobnicate|vertx-echo: unknown option '--frobnicate' (java -jar vertx-echo.jar --help lists the options)",
    "-instances abc|vertx-echo: option '-instances' takes a whole number, not 'abc'",
    "-cluster -conf|vertx-echo: option '-conf' needs a value",
    "-Decho.port=7000|vertx-echo: '-Decho.port=7000' after -jar is an argument, not a system property: put it before -jar (java -Decho.port=7000 -jar vertx-echo.jar)",
  })
  @DisplayName("a word or option the node does not take is refused with one line naming it (and the nearest valid one), exit 78, before anything starts")
  void refusedCommandLine(String arguments, String line) {
    JarProcess node = JarProcess.startOnRandomPorts(Map.of(), arguments.split(" "));
    assertRefused(node, line);
    assertEquals(line, node.output().strip(), "a plain line, not a log line");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--help", "-h", "help"})
  @DisplayName("--help, -h and help print this program's usage: commands, launcher options, config sources, every key, exit codes")
  void help(String argument) {
    try (JarProcess node = JarProcess.startOnRandomPorts(Map.of(), argument)) {
      assertEquals(0, node.awaitExit(60));
      String usage = node.output();
      for (String expected : List.of("Usage: java -jar vertx-echo.jar [options]", "client --help", "bench --help", "-cluster",
        "-conf FILE|JSON", "-options FILE|JSON", "-instances N", "conf/config.json", "VERTX_CONFIG_PATH", "ECHO_*", "-Decho.<key>",
        "Exit codes: 0 help; 78 a mistake")) {
        assertTrue(usage.contains(expected), () -> "no '" + expected + "' in:\n" + usage);
      }
      for (Key<?> key : EchoConfig.KEYS) {
        assertTrue(usage.contains("  " + key.name() + "  " + key.envName() + "  default: "), () -> key + " missing from:\n" + usage);
      }
      assertFalse(usage.contains("VertxApplication") || usage.contains("mainVerticle"), usage);
      assertFalse(usage.contains(LISTENING), usage);
    }
  }

  @Test
  @DisplayName("a port already in use stops startup with one line naming the address and the key")
  void portInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0);
         JarProcess server = JarProcess.start(Map.of("ECHO_PORT", String.valueOf(taken.getLocalPort()), "ECHO_HTTP_PORT", "0"))) {
      assertEquals(78, server.awaitExit(60));
      assertTrue(server.output().contains("Cannot listen on 0.0.0.0:" + taken.getLocalPort() + " (host, port)"), server.output());
      assertFalse(server.output().contains("\tat "), server.output());
    }
  }

  @Test
  @DisplayName("a user verticle that cannot be deployed stops startup with one line naming the entry and the cause, exit code 78")
  void userVerticleFails() {
    // The node runs in a folder of its own: the script is named by its absolute path.
    String broken = java.nio.file.Path.of("src/test/resources/verticles/broken.groovy").toAbsolutePath().toString();
    try (JarProcess server = JarProcess.startOnRandomPorts(Map.of("ECHO_VERTICLES", "[\"" + broken + "\"]"))) {
      assertEquals(78, server.awaitExit(60));
      List<String> refused = server.output().lines().filter(line -> line.contains("verticles[0]")).toList();
      assertEquals(1, refused.size(), server.output());
      assertTrue(refused.get(0).contains("Invalid configuration: verticles[0] = \"" + broken + "\" could not be deployed: "), server.output());
      assertFalse(server.output().contains("\tat "), server.output());
    }
  }

  @Test
  @DisplayName("an HTTP host that is not this machine's stops startup with one line naming the address, both keys and the cause")
  void httpHostNotLocal() {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): no interface of this machine has it.
    try (JarProcess server = JarProcess.start(Map.of("ECHO_PORT", "0", "ECHO_HTTP_HOST", "192.0.2.1"))) {
      assertEquals(78, server.awaitExit(60));
      assertTrue(server.output().contains("Cannot listen on 192.0.2.1:8080 (http.host, http.port): "), server.output());
      assertTrue(server.output().contains("Cannot assign requested address"), server.output());
      assertFalse(server.output().contains("\tat "), server.output());
    }
  }

  @Test
  @DisplayName("the jar's manifest opens to Hazelcast exactly the JDK packages the tests' JVM flags open (pom.xml lists both)")
  void manifestOpensWhatTheFlagsOpen() throws Exception {
    Set<String> flags = new TreeSet<>();
    for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      Matcher flag = Pattern.compile("--(add-opens|add-exports)=(\\S+)=ALL-UNNAMED").matcher(argument);
      if (flag.matches()) {
        flags.add(flag.group(1) + " " + flag.group(2));
      }
    }
    Set<String> manifest = new TreeSet<>();
    try (JarFile jar = new JarFile(System.getProperty("it.jar", "target/vertx-echo.jar"))) {
      Attributes attributes = jar.getManifest().getMainAttributes();
      for (String kind : List.of("Add-Opens", "Add-Exports")) {
        String value = attributes.getValue(kind);
        assertNotNull(value, () -> "the jar's manifest has no " + kind + ": " + attributes.entrySet());
        for (String modulePackage : value.split(" ")) {
          manifest.add(kind.toLowerCase(Locale.ROOT) + " " + modulePackage);
        }
      }
    }
    assertFalse(flags.isEmpty(), "the tests' JVM has no --add-opens flags (pom.xml's hazelcast.jvm.flags)");
    assertEquals(flags, manifest);
  }

  @Test
  @DisplayName("GET /metrics serves Vert.x's and the echo series for Prometheus, counting the echo connections once")
  void prometheusMetrics() {
    try (JarProcess server = JarProcess.startListening(Map.of()); Wire client = Wire.connect(server.echoPort())) {
      client.readLine();
      // the stats hear of the connection over the bus, shortly after the greeting went out
      String scrape = await().atMost(Duration.ofSeconds(20)).until(() -> new HttpGet().get(server.httpPort(), "/metrics").body(),
        body -> body.matches("(?s).*\\necho_connections_active\\{[^}]*} 1\\.0\\n.*"));
      assertTrue(scrape.contains("jvm_memory_used_bytes"), scrape);
      assertFalse(scrape.contains("vertx_net_server_active_connections"), scrape);
      assertFalse(server.output().contains("WARN"), server.output());
    }
  }

  @ParameterizedTest(name = "{0} 3")
  @ValueSource(strings = {"-instances", "--instances"})
  @DisplayName("-instances N (or --instances N) deploys N echo instances (and one of everything else)")
  void instancesOption(String option) {
    try (JarProcess server = JarProcess.startListening(Map.of(), option, "3")) {
      JsonObject stats = new HttpGet().json(server.httpPort(), "/stats");
      assertEquals(3, stats.getJsonObject("node").getJsonArray("instances").size());
      try (Wire client = Wire.connect(server.echoPort())) {
        assertEquals("Welcome to my server", client.readLine());
      }
    }
  }

  @Test
  @DisplayName("one event loop per core unless -options sets eventLoopPoolSize: more instances than cores share them")
  void eventLoopsPerCore() {
    int cores = Runtime.getRuntime().availableProcessors();
    String instances = String.valueOf(cores + 2);
    try (JarProcess server = JarProcess.startListening(Map.of(), "-instances", instances)) {
      assertEquals(cores, eventLoopsServing(server), "instances spread over one event loop per core");
    }
    try (JarProcess server = JarProcess.startListening(Map.of(), "-instances", instances,
      "-options", "{\"eventLoopPoolSize\": " + instances + "}")) {
      assertTrue(eventLoopsServing(server) > cores, "-options eventLoopPoolSize gives each instance its own event loop");
    }
  }

  private static long eventLoopsServing(JarProcess server) {
    return new HttpGet().json(server.httpPort(), "/stats").getJsonObject("node").getJsonArray("instances").stream()
      .map(instance -> ((JsonObject) instance).getString("eventLoop"))
      .distinct()
      .count();
  }

  @Test
  @DisplayName("a stdout nobody reads (a stalled log collector) never stalls the node: /stats answers, clients are served")
  void unreadStdoutNeverBlocks() {
    try (JarProcess server = JarProcess.startListeningThenStopReading(Map.of())) {
      // Each connection logs two lines; 3,000 connections write far more than a pipe holds (64 KiB).
      for (int i = 0; i < 3000; i++) {
        try (Wire client = Wire.connect(server.echoPort())) {
          assertEquals("Welcome to my server", client.readLine());
        }
      }
      JsonObject stats = new HttpGet().json(server.httpPort(), "/stats");
      assertEquals(3000, stats.getJsonObject("node").getLong("accepted"));
      try (Wire client = Wire.connect(server.echoPort())) {
        client.readLine();
        assertEquals("still echoing", client.send("still echoing\n").readLine());
      }
    }
  }

  @Test
  @DisplayName("SIGTERM: clients are told, keep their echoes, the process exits as soon as they leave, and stats log the close")
  void sigtermDrainsClients() {
    try (JarProcess server = startWithGrace(300); Wire client = Wire.connect(server.echoPort())) {
      client.readLine();
      client.send("before\n");
      assertEquals("before", client.readLine());

      server.terminate();
      assertEquals("Server shutting down", client.readLine());
      client.send("during\n");
      assertEquals("during", client.readLine());
      client.send("exit\n");
      assertEquals("Bye\n", client.readToEndString());
      server.awaitExit(60);
      assertTrue(server.output().contains("Draining 1 connection on "), server.output());
      assertTrue(server.output().contains("New client accepted: 1 active connection\n"), server.output());
      assertTrue(server.output().contains("Client disconnected: 0 active connections"), server.output());
      assertFalse(server.output().contains("WARN"), server.output());
    }
  }

  @Test
  @DisplayName("SIGTERM: a client that stays is closed at the end of the grace period, its unfinished line echoed")
  void sigtermGracePeriodEnds() {
    try (JarProcess server = startWithGrace(1); Wire client = Wire.connect(server.echoPort())) {
      client.readLine();
      client.send("unfinished");
      server.terminate();
      assertEquals("Server shutting down\nunfinished", client.readToEndString());
      server.awaitExit(60);
    }
  }

  @Test
  @DisplayName("SIGTERM during startup: the node finishes starting, then drains and stops as usual, with nothing logged as an error")
  void sigtermDuringStartup() {
    try (HeldDnsServer dns = HeldDnsServer.start(); JarProcess server = startResolvingThrough(dns)) {
      dns.awaitQuery();
      server.terminate();
      server.awaitOutput("SIGTERM during startup: the node stops once it has started");
      dns.release();
      assertEquals(143, server.awaitExit(60));
      String output = server.output();
      assertTrue(output.contains(LISTENING + " echo.startup.test:"), output);
      assertTrue(output.contains("Stopping: draining clients") && output.contains("Stopped"), output);
      assertFalse(output.contains("ERROR") || output.contains("WARN") || output.contains("Exception"), output);
    }
  }

  @Test
  @DisplayName("a second SIGTERM during startup stops the node at once")
  void secondSigtermDuringStartup() {
    try (HeldDnsServer dns = HeldDnsServer.start(); JarProcess server = startResolvingThrough(dns)) {
      dns.awaitQuery();
      server.terminate();
      server.awaitOutput("SIGTERM during startup");
      server.terminate();
      assertEquals(143, server.awaitExit(60));
      assertFalse(server.output().contains(LISTENING), server.output());
    }
  }

  /** A node whose echo instances listen on a name only {@code dns} resolves: its startup waits for the answer. */
  private static JarProcess startResolvingThrough(HeldDnsServer dns) {
    return JarProcess.startOnRandomPorts(Map.of("ECHO_HOST", "echo.startup.test"),
      "-options", new JsonObject().put("addressResolverOptions",
        new JsonObject().put("servers", new JsonArray().add(dns.address()))).encode());
  }

  private static JarProcess startWithGrace(int graceSeconds) {
    return JarProcess.startListening(Map.of("ECHO_SHUTDOWN_GRACE_SECONDS", "" + graceSeconds));
  }
}
