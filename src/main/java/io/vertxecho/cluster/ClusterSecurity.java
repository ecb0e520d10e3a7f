package io.vertxecho.cluster;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertxecho.config.EchoConfig;

import java.util.Set;

/**
 * Closes the clustered event bus to strangers: with {@code cluster.tls.*} set, nodes talk TLS with client
 * certificates both ways, so a process without a certificate from the cluster's CA can neither send events
 * to a node nor receive any, even if it joined Hazelcast. (Hazelcast's own port has no authentication in
 * its open-source edition: keep it private, see docs/operations.md, "A closed cluster".)
 */
public final class ClusterSecurity {

  private ClusterSecurity() {
  }

  /** Applies the cluster's TLS settings to the event bus options; nothing when they are off. */
  public static EventBusOptions secure(EventBusOptions options, EchoConfig.ClusterTls tls) {
    if (!tls.enabled()) {
      return options;
    }
    return options.setSsl(true)
      .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certPath()).setKeyPath(tls.keyPath()))
      .setTrustOptions(new PemTrustOptions().addCertPath(tls.trustPath()))
      .setClientAuth(ClientAuth.REQUIRED)
      .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
  }
}
