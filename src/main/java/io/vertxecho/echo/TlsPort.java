package io.vertxecho.echo;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertxecho.config.EchoConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.vertxecho.config.EchoConfig.HOST;

/**
 * The TLS echo port's options: TLS 1.2 and 1.3 only, a handshake timeout, optional client certificates, OpenSSL
 * (BoringSSL) when its native library is on the class path, else the JDK's engine.
 */
public final class TlsPort {

  static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  private TlsPort() {
  }

  static NetServerOptions serverOptions(EchoConfig config) {
    EchoConfig.Tls tls = config.tls();
    return secured(new NetServerOptions()
      .setHost(config.get(HOST))
      // A random port shared by the instances, distinct from the plain port's (-1).
      .setPort(tls.port() == 0 ? -2 : tls.port())
      .setTcpNoDelay(true), tls);
  }

  /**
   * {@code options} made to speak TLS as the TLS echo port does (its certificate and key, client certificates, TLS 1.2
   * and 1.3, the handshake timeout, OpenSSL when present); the TCP event-bus bridge uses it too.
   */
  public static NetServerOptions secured(NetServerOptions options, EchoConfig.Tls tls) {
    ServerSSLOptions ssl = sslOptions(tls);
    options
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

  /** The files the TLS port reads: certificate and key, and the trusted CAs when it asks for client certificates. */
  static List<String> files(EchoConfig.Tls tls) {
    List<String> files = new ArrayList<>(List.of(tls.certPath(), tls.keyPath()));
    if (tls.clientAuth() != EchoConfig.ClientAuth.NONE) {
      files.add(tls.trustPath());
    }
    return files;
  }
}
