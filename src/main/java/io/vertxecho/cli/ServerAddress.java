package io.vertxecho.cli;

import picocli.CommandLine.Option;

/** Where the client and bench connect (a picocli mixin): {@code --host} and {@code --port}. */
public final class ServerAddress implements Cli.Checked {

  @Option(names = "--host", paramLabel = "HOST", description = "server host (default ${DEFAULT-VALUE})")
  private String host = "localhost";

  @Option(names = "--port", paramLabel = "PORT", description = "server port, 1-65535 (default ${DEFAULT-VALUE})")
  private int port = 9999;

  @Override
  public void check() {
    Cli.range("--port", port, 1, 65535);
  }

  public String host() { return host; }

  public int port() { return port; }
}
