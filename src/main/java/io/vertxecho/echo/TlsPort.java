package io.vertxecho.echo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertxecho.config.EchoConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.vertxecho.config.EchoConfig.CONFIG_SCAN_MILLIS;
import static io.vertxecho.config.EchoConfig.HOST;

/**
 * The TLS echo port's options and its certificate reloads: TLS 1.2 and 1.3 only, a handshake timeout,
 * optional client certificates, OpenSSL (BoringSSL) when its native library is on the class path, else the
 * JDK's engine. The certificate, key and trust files are checked every config scan and, when one changed,
 * swapped in with {@link NetServer#updateSSLOptions}: new handshakes use them, open connections are untouched.
 */
final class TlsPort {

  private static final Logger log = LoggerFactory.getLogger(TlsPort.class);
  static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  private TlsPort() {
  }

  static NetServerOptions serverOptions(EchoConfig config) {
    EchoConfig.Tls tls = config.tls();
    ServerSSLOptions ssl = sslOptions(tls);
    NetServerOptions options = new NetServerOptions()
      .setHost(config.get(HOST))
      // A random port shared by the instances, distinct from the plain port's (-1).
      .setPort(tls.port() == 0 ? -2 : tls.port())
      .setTcpNoDelay(true)
      .setSsl(true)
      .setSslHandshakeTimeout(tls.handshakeTimeoutSeconds())
      .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS)
      .setEnabledSecureTransportProtocols(PROTOCOLS)
      .setKeyCertOptions(ssl.getKeyCertOptions())
      .setTrustOptions(ssl.getTrustOptions())
      .setClientAuth(ssl.getClientAuth());
    if (OpenSSLEngineOptions.isAvailable()) {
      options.setSslEngineOptions(new OpenSSLEngineOptions());
    }
    return options;
  }

  /** The certificate, key, trust and client-auth part, as {@link NetServer#updateSSLOptions} takes it. */
  static ServerSSLOptions sslOptions(EchoConfig.Tls tls) {
    ServerSSLOptions options = new ServerSSLOptions()
      .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certPath()).setKeyPath(tls.keyPath()))
      .setClientAuth(ClientAuth.valueOf(tls.clientAuth().name()))
      .setEnabledSecureTransportProtocols(PROTOCOLS)
      .setSslHandshakeTimeout(tls.handshakeTimeoutSeconds())
      .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    if (tls.clientAuth() != EchoConfig.ClientAuth.NONE) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(tls.trustPath()));
    }
    return options;
  }

  /**
   * Checks the files every {@code configScanMillis} (0 = never), comparing with what they were when the port
   * opened, and reloads {@code server}'s certificate when one changed.
   */
  static void watch(Vertx vertx, NetServer server, EchoConfig config, CertificateVersions versions) {
    EchoConfig.Tls tls = config.tls();
    if (config.get(CONFIG_SCAN_MILLIS) == 0) {
      return;
    }
    List<String> files = new ArrayList<>(List.of(tls.certPath(), tls.keyPath()));
    if (tls.clientAuth() != EchoConfig.ClientAuth.NONE) {
      files.add(tls.trustPath());
    }
    fingerprint(vertx, files).onSuccess(initial -> {
      String[] seen = {initial};
      vertx.setPeriodic(config.get(CONFIG_SCAN_MILLIS), id -> fingerprint(vertx, files).onSuccess(current -> {
        if (!current.equals(seen[0])) {
          seen[0] = current;
          server.updateSSLOptions(sslOptions(tls), true)
            .onSuccess(updated -> versions.reportOnce(current, () -> log.info("TLS certificate reloaded from {} and {}",
              tls.certPath(), tls.keyPath())))
            .onFailure(failure -> versions.reportOnce(current, () -> log.warn(
              "TLS certificate reload failed, the previous one stays in use: {}", failure.getMessage())));
        }
      }));
    });
  }

  /** The files' sizes and modification times, one string: it changes when any file is rewritten. */
  private static Future<String> fingerprint(Vertx vertx, List<String> files) {
    List<Future<String>> parts = new ArrayList<>();
    for (String file : files) {
      parts.add(vertx.fileSystem().props(file).map(props -> props.size() + "@" + props.lastModifiedTime()).otherwise("missing"));
    }
    return Future.all(parts).map(all -> String.join(",", all.<String>list()));
  }
}
