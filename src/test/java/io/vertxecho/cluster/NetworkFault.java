package io.vertxecho.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Network faults made for real in one container's network namespace: the host's iptables (Debian's, installed by
 * .ci/run) run there through nsenter, so the image needs no tool and no capability. The rules sit in a chain of
 * their own, jumped to from INPUT and OUTPUT, so {@link #heal()} removes exactly them.
 */
final class NetworkFault {

  private static final String CHAIN = "ECHO_FAULT";

  private final ComposeProject project;
  private final String container;

  NetworkFault(ComposeProject project, String container) {
    this.project = project;
    this.container = container;
  }

  /** Why faults cannot be made on this host, or null when they can. */
  static String whyUnavailable() {
    try {
      Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
      String uid = new String(id.getInputStream().readAllBytes()).strip();
      if (!"0".equals(uid)) {
        return "entering a container's network namespace takes root (uid " + uid + ")";
      }
      for (List<String> tool : List.of(List.of("iptables", "--version"), List.of("nsenter", "--version"))) {
        Process process = new ProcessBuilder(tool).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes()).strip();
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
          return tool.get(0) + " does not run: " + output;
        }
      }
      return null;
    } catch (IOException e) {
      return "iptables or nsenter is not installed (.ci/run installs them): " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Drops every packet to and from {@code peers} (addresses), both ways; every other peer still gets through. */
  void cut(List<String> peers) {
    StringBuilder rules = new StringBuilder();
    for (String peer : peers) {
      rules.append("iptables -A ").append(CHAIN).append(" -s ").append(peer).append(" -j DROP\n")
        .append("iptables -A ").append(CHAIN).append(" -d ").append(peer).append(" -j DROP\n");
    }
    apply(rules.toString());
  }

  /** Drops a random share of every packet in and out of the container ({@code share} in 0..1). */
  void lose(double share) {
    String probability = String.format(Locale.ROOT, "%.4f", share);
    apply("iptables -A " + CHAIN + " -m statistic --mode random --probability " + probability + " -j DROP\n");
  }

  /** Removes this fault's rules: the container's traffic flows as before. */
  void heal() {
    nsenter("iptables -D INPUT -j " + CHAIN + " 2>/dev/null; iptables -D OUTPUT -j " + CHAIN + " 2>/dev/null;"
      + " iptables -F " + CHAIN + " 2>/dev/null; iptables -X " + CHAIN + " 2>/dev/null; true");
  }

  /** The container's rules, as iptables lists them. */
  String rules() {
    return nsenter("iptables -S");
  }

  private void apply(String rules) {
    nsenter("set -e\n"
      + "iptables -N " + CHAIN + " 2>/dev/null || iptables -F " + CHAIN + "\n"
      + "iptables -C INPUT -j " + CHAIN + " 2>/dev/null || iptables -I INPUT -j " + CHAIN + "\n"
      + "iptables -C OUTPUT -j " + CHAIN + " 2>/dev/null || iptables -I OUTPUT -j " + CHAIN + "\n"
      + rules);
  }

  private String nsenter(String script) {
    String pid = project.docker("inspect", "-f", "{{.State.Pid}}", container).strip();
    List<String> command = List.of("nsenter", "-t", pid, "-n", "sh", "-c", script);
    try {
      Path output = Files.createTempFile("network-fault", ".out");
      try {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException("nsenter into " + container + " did not exit within 60 s: " + script);
        }
        String result = Files.readString(output);
        if (process.exitValue() != 0) {
          throw new IllegalStateException("nsenter into " + container + " exited " + process.exitValue() + " running:\n"
            + script + "\n" + result);
        }
        return result;
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("nsenter failed to start", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while changing " + container + "'s network", e);
    }
  }
}
