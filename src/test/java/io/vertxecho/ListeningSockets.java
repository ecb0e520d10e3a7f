package io.vertxecho;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The TCP addresses a process listens on, read from Linux's {@code /proc}: its socket file descriptors matched with
 * the listening sockets of {@code /proc/net/tcp} and {@code tcp6} (an IPv4-mapped IPv6 address reads as IPv4).
 */
public final class ListeningSockets {

  private static final String LISTEN = "0A";

  private ListeningSockets() {
  }

  /** Every {@code address:port} process {@code pid} listens on, e.g. {@code 127.0.0.3:5701}, {@code 0.0.0.0:8080}. */
  public static Set<String> of(long pid) {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> descriptors = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
      descriptors.forEach(descriptor -> {
        try {
          String target = Files.readSymbolicLink(descriptor).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring("socket:[".length(), target.length() - 1));
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      });
      Set<String> listening = new TreeSet<>();
      for (String table : List.of("tcp", "tcp6")) {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "net", table))) {
          String[] fields = line.trim().split("\\s+");
          if (fields.length > 9 && fields[3].equals(LISTEN) && inodes.contains(fields[9])) {
            listening.add(address(fields[1]));
          }
        }
      }
      return listening;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code 0300007F:1F90} is 127.0.0.3:8080; in tcp6, the 32 hex digits are four little-endian 32-bit words. */
  private static String address(String field) {
    String[] parts = field.split(":");
    int port = Integer.parseInt(parts[1], 16);
    String hex = parts[0];
    if (hex.length() == 32) {
      if (hex.equals("0".repeat(32))) {
        return "[::]:" + port;
      }
      if (!hex.startsWith("0000000000000000FFFF0000")) {
        return "[" + hex + "]:" + port;
      }
      hex = hex.substring(24);
    }
    long word = Long.parseLong(hex, 16);
    return (word & 0xff) + "." + (word >> 8 & 0xff) + "." + (word >> 16 & 0xff) + "." + (word >> 24 & 0xff) + ":" + port;
  }
}
