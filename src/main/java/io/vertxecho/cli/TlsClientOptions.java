package io.vertxecho.cli;

import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemTrustOptions;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** The TLS options the client and bench share (a picocli mixin): {@code --tls}, {@code --ca FILE}, {@code --insecure}. */
public final class TlsClientOptions implements Cli.Checked {

  @Option(names = "--tls", description = "connect with TLS (1.2 or 1.3), checking the server's certificate and host name")
  private boolean tls;

  @Option(names = "--ca", paramLabel = "FILE",
    description = "trust the PEM CA certificates in FILE instead of the JVM's (implies --tls)")
  private String ca;

  @Option(names = "--insecure", description = "trust any server certificate, no host name check (implies --tls)")
  private boolean insecure;

  @Override
  public void check() {
    if (ca != null && insecure) {
      throw new UsageException("options --ca and --insecure exclude each other");
    }
    if (ca != null && !Files.isReadable(Path.of(ca))) {
      throw new UsageException("option --ca: cannot read " + ca);
    }
  }

  public boolean enabled() {
    return tls || ca != null || insecure;
  }

  /** Where to connect, with TLS when it is on (the client's own TLS settings apply). */
  public ConnectOptions target(String host, int port) {
    return new ConnectOptions().setHost(host).setPort(port).setSsl(enabled());
  }

  /** {@code options} with these TLS settings, on the OpenSSL engine when it loads; unchanged without TLS. */
  public NetClientOptions apply(NetClientOptions options) {
    if (!enabled()) {
      return options;
    }
    options.setSsl(true).setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
    // OpenSSL (BoringSSL, bundled) when it loads, as on the server's TLS port: the JDK's engine is Java code that runs
    // 10 to 30 times slower until the JIT has compiled it, seconds on a busy machine (docs/performance.md, TLS)
    if (OpenSSLEngineOptions.isAvailable()) {
      options.setSslEngineOptions(new OpenSSLEngineOptions());
    }
    if (insecure) {
      return options.setTrustAll(true).setHostnameVerificationAlgorithm("");
    }
    options.setHostnameVerificationAlgorithm("HTTPS");
    return ca == null ? options : options.setTrustOptions(new PemTrustOptions().addCertPath(ca));
  }
}
