package io.vertxecho.client;

import io.vertxecho.cli.Args;
import io.vertxecho.cli.UsageException;

/** The client's command line, parsed and checked: where to connect, which mode, and what to send when scripted. */
public record ClientOptions(String host, int port, boolean raw, String send, long count, int timeoutSeconds, boolean help) {

  public static final String USAGE = """
    Usage: java -jar vertx-echo.jar client [options]

    Connects to an echo server, prints the greeting and every reply. Without --send it sends the
    lines typed on stdin; at end of input it half-closes and prints the rest of the replies.

      --host HOST        server host (default localhost)
      --port PORT        server port, 1-65535 (default 9999)
      --raw              raw mode: no lines, bytes are printed as they come back
      --send TEXT        scripted: send TEXT followed by a newline, --count times, then exit
      --count N          how many times to send TEXT (default 1)
      --timeout SECONDS  scripted: give up if the echoes are not all back in time (default 10)
      --help             this text

    Exit codes: 0 all echoed (or the server closed normally), 1 unreachable or echoes missing,
    2 bad option, 3 the server closed with an ERR line.
    """;

  public static ClientOptions parse(String[] arguments) {
    String host = "localhost";
    int port = 9999;
    boolean raw = false;
    String send = null;
    long count = 1;
    boolean countGiven = false;
    int timeout = 10;
    boolean help = false;
    Args args = new Args(arguments);
    while (args.hasNext()) {
      String option = args.next();
      switch (option) {
        case "--host" -> host = args.value(option);
        case "--port" -> port = args.intValue(option, 1, 65535);
        case "--raw" -> {
          args.flag(option);
          raw = true;
        }
        case "--send" -> send = args.value(option);
        case "--count" -> {
          count = args.longValue(option, 1, Long.MAX_VALUE);
          countGiven = true;
        }
        case "--timeout" -> timeout = args.intValue(option, 1, 86_400);
        case "--help", "-h" -> help = true;
        default -> throw Args.unknown(option, "--host, --port, --raw, --send, --count, --timeout, --help");
      }
    }
    if (countGiven && send == null) {
      throw new UsageException("option --count needs --send TEXT");
    }
    if (send != null && (send.indexOf('\n') >= 0 || send.indexOf('\r') >= 0)) {
      throw new UsageException("option --send takes one line of text without newlines");
    }
    return new ClientOptions(host, port, raw, send, count, timeout, help);
  }

  boolean scripted() {
    return send != null;
  }
}
