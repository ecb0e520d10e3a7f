package io.vertxecho;

import io.vertx.core.json.JsonArray;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.config.Key;
import io.vertxecho.internal.VertxInternals;
import io.vertxecho.text.Nearest;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The node's command line, checked before the launcher runs it. {@code --help} ({@code -h}, {@code help}) prints this
 * program's usage; a word or an option the node does not take ends the process with one line that names it and the
 * nearest valid one, exit code 78, before anything binds. The launcher alone takes any word as its main verticle
 * parameter, which this node does not use, and starts a node; and it answers an option it cannot parse with its
 * whole usage and exit code 2.
 */
final class NodeCommandLine {

  private static final List<String> HELP_OPTIONS = List.of("-h", "-help", "--help");
  private static final List<String> COMMANDS = List.of("client", "bench", "help");
  private static final String JAR = "java -jar vertx-echo.jar";

  private NodeCommandLine() {
  }

  /** The exit code when the process ends here (help printed, or a mistake named on {@code err}); empty when the node starts. */
  static OptionalInt check(String[] args, PrintStream out, PrintStream err) {
    if (args.length > 0 && args[0].equals("help") || List.of(args).stream().anyMatch(arg -> HELP_OPTIONS.contains(arg.toLowerCase(Locale.ROOT)))) {
      out.print(usage());
      return OptionalInt.of(0);
    }
    String mistake;
    try {
      ParseResult parsed = VertxInternals.parseLauncherArguments(null, args);
      if (!parsed.hasMatchedPositional(0)) {
        return OptionalInt.empty();
      }
      mistake = unknownWord(parsed.matchedPositionalValue(0, ""));
    } catch (UnmatchedArgumentException e) {
      String argument = e.getUnmatched().get(0);
      mistake = argument.startsWith("-") ? unknownOption(argument, args, optionNames(e)) : unknownWord(argument);
    } catch (MissingParameterException e) {
      mistake = "option '" + typed(e.getMissing().get(0), args) + "' needs a value";
    } catch (ParameterException e) {
      mistake = badValue(e, args);
    }
    err.println("vertx-echo: " + mistake);
    return OptionalInt.of(EchoApplication.EXIT_CONFIG);
  }

  private static String unknownWord(String word) {
    if (COMMANDS.contains(word)) {
      return "the command '" + word + "' comes first: " + JAR + " " + word + (word.equals("help") ? "" : " [options]");
    }
    return "unknown command '" + word + "'" + Nearest.to(word, COMMANDS).map(command -> "; did you mean '" + command + "'?")
      .orElse(": a node takes options only (commands: " + String.join(", ", COMMANDS) + ")");
  }

  private static String unknownOption(String option, String[] args, List<String> optionNames) {
    if (option.startsWith("-D")) {
      return "'" + option + "' after -jar is an argument, not a system property: put it before -jar (java " + option
        + " -jar vertx-echo.jar)";
    }
    String name = option.replaceFirst("^-+", "").replaceFirst("=.*", "");
    Optional<Key<?>> key = EchoConfig.KEYS.stream().filter(k -> squeezed(k.name()).equals(squeezed(name))).findFirst();
    if (key.isPresent()) {
      String value = option.contains("=") ? option.substring(option.indexOf('=') + 1) : valueAfter(option, args);
      return "unknown option '" + option + "': " + key.get().name() + " is a config key: " + key.get().envName() + "=" + value
        + " " + JAR + ", or java -D" + key.get().propertyName() + "=" + value + " -jar vertx-echo.jar";
    }
    List<String> candidates = new ArrayList<>(optionNames);
    return "unknown option '" + option + "'" + Nearest.to(option.replaceFirst("=.*", ""), candidates)
      .map(near -> "; did you mean '" + near + "'?").orElse(" (" + JAR + " --help lists the options)");
  }

  /** An option's value that does not convert: {@code -instances abc}. */
  private static String badValue(ParameterException e, String[] args) {
    if (e.getArgSpec() instanceof OptionSpec option && e.getValue() != null) {
      Class<?> type = option.type();
      String expected = type == Integer.class || type == int.class || type == Long.class || type == long.class
        ? "a whole number" : "a " + type.getSimpleName();
      return "option '" + typed(option, args) + "' takes " + expected + ", not '" + e.getValue() + "'";
    }
    String message = e.getMessage().lines().findFirst().orElse("");
    return Character.toLowerCase(message.charAt(0)) + message.substring(1);
  }

  /** The name the command line gave {@code spec} ({@code -instances}, not picocli's {@code --instances}). */
  private static String typed(ArgSpec spec, String[] args) {
    if (!(spec instanceof OptionSpec option)) {
      return spec.paramLabel();
    }
    for (String arg : args) {
      for (String name : option.names()) {
        if (arg.replaceFirst("=.*", "").equalsIgnoreCase(name)) {
          return arg.replaceFirst("=.*", "");
        }
      }
    }
    return option.longestName();
  }

  /** A key's name as a user may spell it as an option: {@code --http-port}, {@code --max-line-bytes}. */
  private static String squeezed(String name) {
    return name.replaceAll("[-_.]", "").toLowerCase(Locale.ROOT);
  }

  private static String valueAfter(String option, String[] args) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(option) && !args[i + 1].startsWith("-")) {
        return args[i + 1];
      }
    }
    return "VALUE";
  }

  private static List<String> optionNames(ParameterException e) {
    List<String> names = new ArrayList<>();
    for (OptionSpec option : e.getCommandLine().getCommandSpec().options()) {
      names.addAll(List.of(option.names()));
    }
    return names;
  }

  /** This program's usage: the commands, the launcher options that apply to a node, the config sources and keys, exit codes. */
  static String usage() {
    StringBuilder keys = new StringBuilder();
    for (Key<?> key : EchoConfig.KEYS) {
      keys.append(String.format("  %s  %s  default: %s%n%s", key.name(), key.envName(), byDefault(key),
        wrapped(key.doc().replace("`", ""), "      ")));
    }
    return """
      Usage: %1$s [options]         run a node: echo on :9999, HTTP (/stats, dashboard) on :8080
             %1$s client [options]  the echo client (client --help)
             %1$s bench [options]   the load generator (bench --help)
             %1$s --help | -h | help

      Options of a node:
        -cluster                          join a cluster (Hazelcast; the cluster.* keys below)
        -conf FILE|JSON                   config over the config file, under the environment
        -instances N                      echo instances (event loops serving the port); wins over the key instances
        -options FILE|JSON                Vert.x options, e.g. {"eventLoopPoolSize": 4}
        -deployment-options FILE|JSON     the main verticle's deployment options
        -cluster-host HOST, -cluster-port PORT
                                          the clustered event bus's address (default: cluster.interface's, a free port)
        -cluster-public-host HOST, -cluster-public-port PORT
                                          the event bus address other nodes use, behind NAT
        --startup-timeout-seconds N, --deployment-timeout-seconds N, --shutdown-timeout-seconds N
                                          the launcher's limits (default 120 each)

      Config, later wins: the defaults below < the config file conf/config.json (or the file VERTX_CONFIG_PATH or
      -Dvertx-config-path names) < -conf < environment variables ECHO_* < system properties -Decho.<key> (before
      -jar: java -Decho.port=7000 -jar vertx-echo.jar) < -instances. In the file a dotted key nests:
      {"http": {"port": 8081}}. Lists are comma-separated in the environment. docs/configuration.md has the details.

      Keys (name, environment variable, default, meaning):
      %2$s
      Exit codes: 0 help; 78 a mistake in the command line or the config, a port in use, an address that is not this
      machine's, a cluster member that cannot start (one line says which); 143 stopped by SIGTERM and 130 by Ctrl-C,
      after draining the clients; 1, 11 or 15 another startup failure (the launcher's codes: 11 Vert.x did not start,
      15 the main verticle did not deploy). client and bench: 0 done, 1 failed, 2 a mistake in their options.
      """.formatted(JAR, keys.toString().stripTrailing() + "\n");
  }

  /** {@code text} in lines of at most 110 characters, each starting with {@code indent}. */
  private static String wrapped(String text, String indent) {
    StringBuilder lines = new StringBuilder();
    StringBuilder line = new StringBuilder(indent);
    for (String word : text.split(" ")) {
      if (line.length() > indent.length() && line.length() + 1 + word.length() > 110) {
        lines.append(line).append(System.lineSeparator());
        line = new StringBuilder(indent);
      }
      line.append(line.length() > indent.length() ? " " : "").append(word);
    }
    return lines.append(line).append(System.lineSeparator()).toString();
  }

  private static String byDefault(Key<?> key) {
    if (key.defaultDoc() != null) {
      return key.defaultDoc().replace("`", "");
    }
    Object value = key.defaultJson();
    return value instanceof JsonArray array ? array.encode() : value.toString().isEmpty() ? "empty" : value.toString();
  }
}
