package io.vertxecho.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertxecho.cli.Cli;
import io.vertxecho.events.Events;
import io.vertxecho.internal.ClientTransport;
import io.vertxecho.internal.VertxInternals;

import java.io.InputStream;
import java.io.PrintStream;

/** The bundled echo client ({@code java -jar vertx-echo.jar client}): one connection through a Vert.x NetClient. */
public final class EchoClient {

  public static final int EXIT_OK = Cli.EXIT_OK;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = Cli.EXIT_USAGE;
  public static final int EXIT_SERVER_ERROR = 3;

  private final ClientOptions options;
  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;

  public EchoClient(ClientOptions options, InputStream in, PrintStream out, PrintStream err) {
    this.options = options;
    this.in = in;
    this.out = out;
    this.err = err;
  }

  /** Runs the client as the {@code client} subcommand does, on its own Vert.x, and returns the exit code. */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    return Cli.run(new ClientOptions(), args, out, err, options -> new EchoClient(options, in, out, err).runOnOwnVertx());
  }

  private int runOnOwnVertx() {
    Vertx vertx = ClientTransport.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1));
    try {
      return run(vertx).await();
    } finally {
      vertx.close().await();
    }
  }

  /** Connects, runs the session and completes with the exit code; never fails. */
  public Future<Integer> run(Vertx vertx) {
    NetClient client = vertx.createNetClient(options.tls().apply(new NetClientOptions().setConnectTimeout(5_000).setTcpNoDelay(true)));
    ClientSession session = new ClientSession(options, in, out, err);
    return VertxInternals.connect(vertx, client, options.tls().target(options.host(), options.port()), session::attach)
      .transform(connected -> connected.succeeded()
        ? session.start(vertx)
        : Future.succeededFuture(unreachable(connected.cause())))
      .eventually(client::close);
  }

  private int unreachable(Throwable cause) {
    String reason = String.valueOf(cause.getMessage());
    if (reason.contains("Connection refused")) {
      reason = "connection refused (is the server running on that port?)";
    }
    err.println("client: cannot connect to " + Events.hostPort(options.host(), options.port()) + ": " + reason);
    return EXIT_FAILED;
  }
}
