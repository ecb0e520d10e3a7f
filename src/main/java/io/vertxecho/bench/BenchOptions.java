package io.vertxecho.bench;

import io.vertxecho.cli.Args;
import io.vertxecho.cli.UsageException;

import java.util.ArrayList;
import java.util.List;

/** The load to generate, parsed and checked: where, how many connections, what to send, for how long. */
public record BenchOptions(
  String host, int port, boolean raw, boolean churn, int connections, double rate, int pipeline, int size,
  double durationSeconds, long messages, double warmupSeconds, int greetingLines, List<String> sources,
  int eventLoops, double drainSeconds, double timeoutSeconds, boolean json, boolean quiet, boolean help) {

  public static final String USAGE = """
    Usage: java -jar vertx-echo.jar bench [options]

    Opens connections to an echo server, keeps messages in flight on each, checks every echoed byte,
    and reports messages/s, MB/s, errors and latency percentiles. Exit code 0 only when every message
    came back intact: a mismatch, a lost message, an early close or a failed connect make it 1.

      --host HOST          server host (default localhost)
      --port PORT          server port, 1-65535 (default 9999)
      --raw                raw mode: no greeting is skipped and messages are arbitrary bytes
      --line               line mode (the default): the greeting line is skipped, messages end in \\n
      --connections N      concurrent connections, 1-1000000 (default 100)
      --rate N             new connections per second while ramping up, 0 = all at once (default 2000)
      --pipeline P         messages in flight per connection, 0-10000; 0 holds idle connections (default 1)
      --size M             bytes per message, 1-16777216, line mode at least 2 (default 64)
      --duration SECONDS   measure for this long once all are connected (default 10)
      --messages N         instead of a duration: each connection sends N messages (churn: N cycles), then closes
      --warmup SECONDS     run before measuring, not counted (default 1; ignored with --messages)
      --greeting-lines N   lines to skip at connect (default 1 in line mode, 0 in raw mode)
      --churn              churn mode: each of the connections loops connect, one echo, close;
                           reports accepted connections per second
      --source ADDRS       local addresses to connect from, comma separated, ranges allowed:
                           127.0.0.2-127.0.0.9 (default: chosen by the system). Each connection then binds
                           before connecting; with tens of thousands of TIME_WAIT sockets (long churn runs)
                           the kernel's port search for such binds gets slow
      --event-loops N      client event loops, 1-256 (default: number of cores)
      --drain SECONDS      wait this long for echoes still in flight at the end (default 5)
      --timeout SECONDS    hard limit for the whole run (default 120 + duration)
      --json               print the result as one JSON line on stdout
      --quiet              no progress line on stderr
      --help               this text
    """;

  public boolean lineMode() {
    return !raw;
  }

  public boolean countMode() {
    return messages > 0;
  }

  public static BenchOptions parse(String[] arguments) {
    String host = "localhost";
    int port = 9999;
    boolean raw = false;
    boolean churn = false;
    int connections = 100;
    double rate = 2000;
    int pipeline = 1;
    int size = 64;
    double duration = 10;
    long messages = 0;
    double warmup = 1;
    Integer greetingLines = null;
    List<String> sources = List.of();
    int eventLoops = Runtime.getRuntime().availableProcessors();
    double drain = 5;
    Double timeout = null;
    boolean json = false;
    boolean quiet = false;
    boolean help = false;
    Args args = new Args(arguments);
    while (args.hasNext()) {
      String option = args.next();
      switch (option) {
        case "--host" -> host = args.value(option);
        case "--port" -> port = args.intValue(option, 1, 65535);
        case "--raw", "--line", "--churn", "--json", "--quiet" -> {
          args.flag(option);
          switch (option) {
            case "--raw" -> raw = true;
            case "--line" -> raw = false;
            case "--churn" -> churn = true;
            case "--json" -> json = true;
            default -> quiet = true;
          }
        }
        case "--connections", "-c" -> connections = args.intValue(option, 1, 1_000_000);
        case "--rate" -> rate = args.doubleValue(option, 0, 10_000_000);
        case "--pipeline", "-p" -> pipeline = args.intValue(option, 0, 10_000);
        case "--size", "-m" -> size = args.intValue(option, 1, 16 * 1024 * 1024);
        case "--duration", "-d" -> duration = args.doubleValue(option, 0.1, 86_400);
        case "--messages", "-n" -> messages = args.longValue(option, 1, Long.MAX_VALUE / 2);
        case "--warmup" -> warmup = args.doubleValue(option, 0, 3_600);
        case "--greeting-lines" -> greetingLines = args.intValue(option, 0, 100);
        case "--source" -> sources = parseSources(option, args.value(option));
        case "--event-loops" -> eventLoops = args.intValue(option, 1, 256);
        case "--drain" -> drain = args.doubleValue(option, 0, 3_600);
        case "--timeout" -> timeout = args.doubleValue(option, 1, 86_400);
        case "--help", "-h" -> help = true;
        default -> throw Args.unknown(option, "--host, --port, --raw, --line, --connections, --rate, --pipeline, --size, "
          + "--duration, --messages, --warmup, --greeting-lines, --churn, --source, --event-loops, --drain, --timeout, --json, --quiet");
      }
    }
    if (!raw && size < 2) {
      throw new UsageException("option --size must be at least 2 in line mode (one character and the newline)");
    }
    if (churn && pipeline == 0) {
      throw new UsageException("option --pipeline 0 (idle connections) cannot be combined with --churn");
    }
    if (messages > 0 && pipeline == 0) {
      throw new UsageException("option --messages needs --pipeline of at least 1");
    }
    int greeting = greetingLines != null ? greetingLines : raw ? 0 : 1;
    double limit = timeout != null ? timeout : 120 + duration;
    return new BenchOptions(host, port, raw, churn, connections, rate, pipeline, size, duration, messages,
      messages > 0 ? 0 : warmup, greeting, sources, eventLoops, drain, limit, json, quiet, help);
  }

  /** {@code 127.0.0.2,127.0.0.5-127.0.0.9} (or {@code 127.0.0.5-9}): a range runs over the last number. */
  static List<String> parseSources(String option, String text) {
    List<String> addresses = new ArrayList<>();
    for (String item : text.split(",")) {
      String[] range = item.trim().split("-");
      int[] first = ipv4(option, range[0]);
      int last = first[3];
      if (range.length == 2) {
        String end = range[1].contains(".") ? range[1] : range[0].substring(0, range[0].lastIndexOf('.') + 1) + range[1];
        int[] lastAddress = ipv4(option, end);
        if (lastAddress[0] != first[0] || lastAddress[1] != first[1] || lastAddress[2] != first[2] || lastAddress[3] < first[3]) {
          throw badSource(option, item);
        }
        last = lastAddress[3];
      } else if (range.length != 1) {
        throw badSource(option, item);
      }
      for (int i = first[3]; i <= last; i++) {
        addresses.add(first[0] + "." + first[1] + "." + first[2] + "." + i);
      }
    }
    return List.copyOf(addresses);
  }

  private static int[] ipv4(String option, String text) {
    String[] parts = text.trim().split("\\.");
    if (parts.length != 4) {
      throw badSource(option, text);
    }
    int[] numbers = new int[4];
    for (int i = 0; i < 4; i++) {
      try {
        numbers[i] = Integer.parseInt(parts[i]);
      } catch (NumberFormatException e) {
        throw badSource(option, text);
      }
      if (numbers[i] < 0 || numbers[i] > 255) {
        throw badSource(option, text);
      }
    }
    return numbers;
  }

  private static UsageException badSource(String option, String text) {
    return new UsageException("option " + option + " takes IPv4 addresses or ranges like 127.0.0.2-127.0.0.9, comma separated (got '" + text + "')");
  }
}
