package io.vertxecho.echo;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The TLS files' version as the node last saw it, shared by the echo instances (like {@link ConnectionGate}):
 * each instance reloads its own server, and the first to see a new version reports it for the node.
 */
public final class CertificateVersions {

  private final AtomicReference<String> current = new AtomicReference<>();

  /** Runs {@code report} if no other instance has reported version {@code version} yet. */
  void reportOnce(String version, Runnable report) {
    String before = current.get();
    if (!version.equals(before) && current.compareAndSet(before, version)) {
      report.run();
    }
  }
}
