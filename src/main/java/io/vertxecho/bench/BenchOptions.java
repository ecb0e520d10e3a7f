package io.vertxecho.bench;

import io.vertxecho.cli.Cli;
import io.vertxecho.cli.ServerAddress;
import io.vertxecho.cli.TlsClientOptions;
import io.vertxecho.cli.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** The load to generate (picocli): where, how many connections, what to send, for how long. */
@Command(name = "bench", sortOptions = false, descriptionHeading = "%n",
  customSynopsis = "java -jar vertx-echo.jar bench [OPTIONS]",
  description = {"Opens connections to an echo server, keeps messages in flight on each, checks every echoed byte, "
    + "and reports messages/s, MB/s, errors and latency percentiles.", ""},
  footer = {"", "Exit codes: 0 every message came back intact; 1 a mismatch, a lost message, an early close or a "
    + "failed connect; 2 bad option."})
public final class BenchOptions implements Cli.Checked {

  @Mixin
  private ServerAddress server = new ServerAddress();

  @Option(names = "--raw", description = "raw mode: no greeting is skipped and messages are arbitrary bytes")
  private boolean raw;

  @Option(names = "--line", description = "line mode (the default): the greeting line is skipped, messages end in \\n")
  private boolean line;

  @Option(names = {"-c", "--connections"}, paramLabel = "N",
    description = "concurrent connections, 1-1000000 (default ${DEFAULT-VALUE})")
  private int connections = 100;

  @Option(names = "--rate", paramLabel = "N",
    description = "new connections per second while ramping up, 0-10000000; 0 = all at once (default 2000)")
  private double rate = 2000;

  @Option(names = {"-p", "--pipeline"}, paramLabel = "P",
    description = "messages in flight per connection, 0-10000; 0 holds idle connections (default ${DEFAULT-VALUE})")
  private int pipeline = 1;

  @Option(names = {"-m", "--size"}, paramLabel = "M",
    description = "bytes per message, 1-16777216, line mode at least 2 (default ${DEFAULT-VALUE})")
  private int size = 64;

  @Option(names = {"-d", "--duration"}, paramLabel = "SECONDS",
    description = "measure for this long once all are connected, 0.1-86400 (default 10)")
  private double durationSeconds = 10;

  @Option(names = {"-n", "--messages"}, paramLabel = "N",
    description = "instead of a duration: each connection sends N messages, N at least 1 (churn: N cycles), then closes")
  private Long messages;

  @Option(names = "--warmup", paramLabel = "SECONDS",
    description = "run before measuring, not counted, 0-3600 (default 1; ignored with --messages)")
  private double warmupSeconds = 1;

  @Option(names = "--greeting-lines", paramLabel = "N",
    description = "lines to skip at connect, 0-100 (default 1 in line mode, 0 in raw mode)")
  private Integer greetingLines;

  @Option(names = "--churn",
    description = "churn mode: each of the connections loops connect, one echo, close; reports accepted connections per second")
  private boolean churn;

  @Option(names = "--source", paramLabel = "ADDRS", description = "local addresses to connect from, comma separated, "
    + "ranges allowed: 127.0.0.2-127.0.0.9 (default: chosen by the system). Each connection then binds before connecting; "
    + "with tens of thousands of TIME_WAIT sockets (long churn runs) the kernel's port search for such binds gets slow")
  private String source;

  private List<String> sources = List.of();

  @Option(names = "--event-loops", paramLabel = "N", description = "client event loops, 1-256 (default: number of cores)")
  private int eventLoops = Runtime.getRuntime().availableProcessors();

  @Option(names = "--drain", paramLabel = "SECONDS",
    description = "wait this long for echoes still in flight at the end, 0-3600 (default 5)")
  private double drainSeconds = 5;

  @Option(names = "--timeout", paramLabel = "SECONDS", description = "hard limit for the whole run, 1-86400 (default 120 + duration)")
  private Double timeoutSeconds;

  @Option(names = "--json", description = "print the result as one JSON line on stdout")
  private boolean json;

  @Option(names = "--quiet", description = "no progress line on stderr")
  private boolean quiet;

  @Mixin
  private TlsClientOptions tls = new TlsClientOptions();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
  private boolean help;

  /** Parses and checks a bench command line; throws on a mistake (picocli's ParameterException or UsageException). */
  public static BenchOptions parse(String... args) {
    return Cli.parse(new BenchOptions(), args);
  }

  @Override
  public void check() {
    tls.check();
    server.check();
    Cli.range("--connections", connections, 1, 1_000_000);
    Cli.range("--rate", rate, 0, 10_000_000);
    Cli.range("--pipeline", pipeline, 0, 10_000);
    Cli.range("--size", size, 1, 16 * 1024 * 1024);
    Cli.range("--duration", durationSeconds, 0.1, 86_400);
    Cli.range("--warmup", warmupSeconds, 0, 3_600);
    Cli.range("--event-loops", eventLoops, 1, 256);
    Cli.range("--drain", drainSeconds, 0, 3_600);
    if (messages != null) {
      Cli.range("--messages", messages, 1, Long.MAX_VALUE / 2);
    }
    if (greetingLines != null) {
      Cli.range("--greeting-lines", greetingLines, 0, 100);
    }
    if (timeoutSeconds != null) {
      Cli.range("--timeout", timeoutSeconds, 1, 86_400);
    }
    if (source != null) {
      sources = parseSources("--source", source);
    }
    if (raw && line) {
      throw new UsageException("options --raw and --line exclude each other: give one");
    }
    if (!raw && size < 2) {
      throw new UsageException("option --size must be at least 2 in line mode (one character and the newline)");
    }
    if (churn && pipeline == 0) {
      throw new UsageException("option --pipeline 0 (idle connections) cannot be combined with --churn");
    }
    if (messages != null && pipeline == 0) {
      throw new UsageException("option --messages needs --pipeline of at least 1");
    }
  }

  public String host() { return server.host(); }

  public TlsClientOptions tls() { return tls; }

  public int port() { return server.port(); }

  public boolean raw() { return raw; }

  public boolean lineMode() { return !raw; }

  public boolean churn() { return churn; }

  public int connections() { return connections; }

  public double rate() { return rate; }

  public int pipeline() { return pipeline; }

  public int size() { return size; }

  public double durationSeconds() { return durationSeconds; }

  public long messages() { return messages == null ? 0 : messages; }

  public boolean countMode() { return messages != null; }

  public double warmupSeconds() { return countMode() ? 0 : warmupSeconds; }

  public int greetingLines() { return greetingLines != null ? greetingLines : raw ? 0 : 1; }

  public List<String> sources() { return sources; }

  public int eventLoops() { return eventLoops; }

  public double drainSeconds() { return drainSeconds; }

  public double timeoutSeconds() { return timeoutSeconds != null ? timeoutSeconds : 120 + durationSeconds; }

  public boolean json() { return json; }

  public boolean quiet() { return quiet; }

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
