package io.vertxecho.echo;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.events.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

import static io.vertxecho.config.EchoConfig.CONFIG_SCAN_MILLIS;

/**
 * Watches the TLS port's certificate, key and trust files for the whole node, every {@code configScanMillis}, and when
 * one changed has an echo instance swap them in ({@link Events#TLS_RELOAD}): the instances share one listening socket
 * and its certificate, so one swap serves them all. New handshakes use the new files; open connections are untouched.
 */
public final class CertificateWatcher extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(CertificateWatcher.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final EchoConfig.Tls tls;
  private final int scanMillis;
  private final List<String> files;
  private String seen;

  /** For a config with the TLS port on and {@code configScanMillis} above 0. */
  public CertificateWatcher(EchoConfig config) {
    this.tls = config.tls();
    this.scanMillis = config.get(CONFIG_SCAN_MILLIS);
    this.files = TlsPort.files(tls);
  }

  @Override
  public Future<?> start() {
    return fingerprint().onSuccess(initial -> {
      seen = initial;
      vertx.setPeriodic(scanMillis, id -> fingerprint().onSuccess(this::check));
    });
  }

  private void check(String current) {
    if (current.equals(seen)) {
      return;
    }
    seen = current;
    vertx.eventBus().request(Events.TLS_RELOAD, null, LOCAL)
      .onSuccess(reloaded -> log.info("TLS certificate reloaded from {} and {}", tls.certPath(), tls.keyPath()))
      .onFailure(failure -> log.warn("TLS certificate reload failed, the previous one stays in use: {}", failure.getMessage()));
  }

  /** The files' sizes and modification times, one string: it changes when any file is rewritten. */
  private Future<String> fingerprint() {
    List<Future<String>> parts = new ArrayList<>();
    for (String file : files) {
      parts.add(vertx.fileSystem().props(file).map(props -> props.size() + "@" + props.lastModifiedTime()).otherwise("missing"));
    }
    return Future.all(parts).map(all -> String.join(",", all.<String>list()));
  }
}
