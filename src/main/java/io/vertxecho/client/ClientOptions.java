package io.vertxecho.client;

import io.vertxecho.cli.Cli;
import io.vertxecho.cli.ServerAddress;
import io.vertxecho.cli.TlsClientOptions;
import io.vertxecho.cli.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;

/** The client's command line (picocli): where to connect, which mode, and what to send when scripted. */
@Command(name = "client", sortOptions = false, descriptionHeading = "%n",
  customSynopsis = "java -jar vertx-echo.jar client [OPTIONS]",
  description = {"Connects to an echo server, prints the greeting and every reply. Without --send it sends the lines "
    + "typed on stdin (with --raw, stdin's bytes exactly as they come, nothing added); at end of input it half-closes "
    + "and prints the rest of the replies.", ""},
  footer = {"", "Exit codes: 0 every --send echoed or, with typed input, the server closed without an ERR line; "
    + "1 unreachable, or --send echoes missing (--send exit gets the goodbye, not an echo); 2 bad option; "
    + "3 the server closed with an ERR line."})
public final class ClientOptions implements Cli.Checked {

  @Mixin
  private ServerAddress server = new ServerAddress();

  @Option(names = "--raw", description = "raw mode: no lines; stdin is sent as it is, bytes are printed as they come back")
  private boolean raw;

  /** A list only to refuse a second {@code --send}: data, unlike a setting, must not be dropped by "the last wins". */
  @Option(names = "--send", paramLabel = "TEXT", description = "scripted: send TEXT followed by a newline, --count times, then exit")
  private List<String> sends = List.of();

  @Option(names = "--count", paramLabel = "N", description = "how many times to send TEXT (default 1)")
  private Long count;

  @Option(names = "--timeout", paramLabel = "SECONDS",
    description = "scripted: give up if the echoes are not all back in time, 1-86400 (default ${DEFAULT-VALUE})")
  private int timeoutSeconds = 10;

  @Mixin
  private TlsClientOptions tls = new TlsClientOptions();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
  private boolean help;

  /** Parses and checks a client command line; throws on a mistake (picocli's ParameterException or UsageException). */
  public static ClientOptions parse(String... args) {
    return Cli.parse(new ClientOptions(), args);
  }

  @Override
  public void check() {
    if (sends.size() > 1) {
      throw new UsageException("option --send was given " + sends.size() + " times; the client sends one line of text"
        + " (--count N sends it N times)");
    }
    tls.check();
    server.check();
    Cli.range("--timeout", timeoutSeconds, 1, 86_400);
    if (count != null) {
      Cli.range("--count", count, 1, Long.MAX_VALUE);
      if (send() == null) {
        throw new UsageException("option --count needs --send TEXT");
      }
    }
    if (send() != null && (send().indexOf('\n') >= 0 || send().indexOf('\r') >= 0)) {
      throw new UsageException("option --send takes one line of text without newlines");
    }
  }

  public String host() { return server.host(); }

  public TlsClientOptions tls() { return tls; }

  public int port() { return server.port(); }

  public boolean raw() { return raw; }

  public String send() { return sends.isEmpty() ? null : sends.get(0); }

  public long count() { return count == null ? 1 : count; }

  public int timeoutSeconds() { return timeoutSeconds; }

  boolean scripted() {
    return send() != null;
  }
}
