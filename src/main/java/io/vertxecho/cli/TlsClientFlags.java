package io.vertxecho.cli;

import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The TLS options the client and bench share ({@code --tls}, {@code --ca FILE}, {@code --insecure}), taken
 * out of the command line before the tool's own options are parsed.
 *
 * @param tls      connect with TLS
 * @param ca       PEM CA certificates to trust instead of the JVM's, or null
 * @param insecure trust any server certificate and skip the host name check (tests, self-signed certificates)
 */
public record TlsClientFlags(boolean tls, String ca, boolean insecure) {

  public static final TlsClientFlags NONE = new TlsClientFlags(false, null, false);

  public static final String USAGE = """
      --tls              connect with TLS (1.2 or 1.3), checking the server's certificate and host name
      --ca FILE          with --tls: trust the PEM CA certificates in FILE instead of the JVM's (implies --tls)
      --insecure         with --tls: trust any server certificate, no host name check (implies --tls)
    """;

  /** The TLS flags and the arguments left for the tool's own parser. */
  public record Split(TlsClientFlags flags, String[] rest) {
  }

  public static Split split(String[] arguments) {
    boolean tls = false;
    String ca = null;
    boolean insecure = false;
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < arguments.length; i++) {
      String argument = arguments[i];
      if (argument.equals("--tls")) {
        tls = true;
      } else if (argument.equals("--insecure")) {
        insecure = true;
      } else if (argument.equals("--ca") || argument.startsWith("--ca=")) {
        if (argument.equals("--ca") && i + 1 >= arguments.length) {
          throw new UsageException("option --ca needs a value");
        }
        ca = argument.equals("--ca") ? arguments[++i] : argument.substring("--ca=".length());
        if (!Files.isReadable(Path.of(ca))) {
          throw new UsageException("option --ca: cannot read " + ca);
        }
      } else {
        rest.add(argument);
      }
    }
    if (ca != null && insecure) {
      throw new UsageException("options --ca and --insecure exclude each other");
    }
    return new Split(new TlsClientFlags(tls || ca != null || insecure, ca, insecure), rest.toArray(String[]::new));
  }

  /** {@code options} with these TLS settings; unchanged without {@code --tls}. */
  public NetClientOptions apply(NetClientOptions options) {
    if (!tls) {
      return options;
    }
    options.setSsl(true).setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
    if (insecure) {
      return options.setTrustAll(true).setHostnameVerificationAlgorithm("");
    }
    options.setHostnameVerificationAlgorithm("HTTPS");
    return ca == null ? options : options.setTrustOptions(new PemTrustOptions().addCertPath(ca));
  }
}
