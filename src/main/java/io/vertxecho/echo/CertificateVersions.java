package io.vertxecho.echo;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The TLS files' version as the node last saw it, shared by the echo instances (like {@link ConnectionGate}):
 * each instance reloads its own server, and the first to see a new version logs it for the node.
 */
public final class CertificateVersions {

  private final AtomicReference<String> current = new AtomicReference<>();

  /** The version the node started with, or {@code seen} if this instance is the first to look. */
  String first(String seen) {
    current.compareAndSet(null, seen);
    return seen;
  }

  /** Runs {@code report} if no other instance has reported version {@code version} yet. */
  void reloaded(String version, Runnable report) {
    String before = current.get();
    if (!version.equals(before) && current.compareAndSet(before, version)) {
      report.run();
    }
  }
}
