package io.vertxecho;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The packages of src/main as floors (docs/architecture.md draws them): a package imports only from floors below its
 * own, and only the ground floor, {@code internal}, touches Netty or Vert.x implementation classes. Read from the
 * sources, so a new arrow up or a new internal use fails here rather than in a reader's head.
 */
@DisplayName("The floor plan of the packages")
class FloorPlanTest {

  private static final Path SOURCES = Path.of("src", "main", "java", "io", "vertxecho");
  /** Floor of each package; "" is io.vertxecho itself (the launcher and the main verticle). */
  private static final Map<String, Integer> FLOORS = Map.ofEntries(
    Map.entry("internal", 0),
    Map.entry("events", 1), Map.entry("cli", 1), Map.entry("text", 1),
    Map.entry("config", 2),
    Map.entry("echo", 3), Map.entry("stats", 3), Map.entry("metrics", 3), Map.entry("access", 3), Map.entry("cluster", 3),
    Map.entry("client", 3), Map.entry("bench", 3), Map.entry("verticles", 3),
    Map.entry("http", 4),
    Map.entry("", 5));
  private static final Pattern PROJECT_IMPORT = Pattern.compile("^import (?:static )?io\\.vertxecho\\.(?:([a-z]+)\\.)?([A-Z]\\w*)",
    Pattern.MULTILINE);
  /** Netty, Vert.x implementation packages, and the JDK's unsupported ones. */
  private static final Pattern INTERNAL_TYPE = Pattern.compile(
    "\\b(io\\.netty\\.\\w+|io\\.vertx\\.[\\w.]*\\.(?:impl|internal)\\.\\w+|sun\\.misc\\.\\w+)");

  @Test
  @DisplayName("every package has a floor, and no import runs to its own floor or one above")
  void noImportRunsUp() throws IOException {
    List<String> wrong = new ArrayList<>();
    for (Path source : sources()) {
      String from = packageOf(source);
      Integer floor = FLOORS.get(from);
      if (floor == null) {
        wrong.add(source + ": package '" + from + "' has no floor in " + FloorPlanTest.class.getSimpleName());
        continue;
      }
      Matcher imported = PROJECT_IMPORT.matcher(Files.readString(source));
      while (imported.find()) {
        String to = imported.group(1) == null ? "" : imported.group(1);
        if (!to.equals(from) && FLOORS.getOrDefault(to, Integer.MAX_VALUE) >= floor) {
          wrong.add(source + " (floor " + floor + ") imports " + to + "." + imported.group(2) + " (floor " + FLOORS.get(to) + ")");
        }
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  @DisplayName("the client and the bench use the client's transport, not the server's")
  void clientsUseTheirOwnTransport() throws IOException {
    List<String> wrong = new ArrayList<>();
    for (Path source : sources()) {
      String from = packageOf(source);
      if ((from.equals("client") || from.equals("bench")) && Files.readString(source).contains("ServerTransport")) {
        wrong.add(source.toString());
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  @DisplayName("only the ground floor (internal) names a Netty or Vert.x implementation type; echo names none")
  void internalsStayOnTheGroundFloor() throws IOException {
    List<String> wrong = new ArrayList<>();
    for (Path source : sources()) {
      if (packageOf(source).equals("internal")) {
        continue;
      }
      Matcher internal = INTERNAL_TYPE.matcher(withoutComments(Files.readString(source)));
      while (internal.find()) {
        wrong.add(source + ": " + internal.group(1));
      }
    }
    assertEquals(List.of(), wrong);
  }

  private static List<Path> sources() throws IOException {
    try (Stream<Path> files = Files.walk(SOURCES)) {
      return files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
    }
  }

  /** The package below io.vertxecho: "echo" for io/vertxecho/echo/EchoVerticle.java, "" for io/vertxecho/X.java. */
  private static String packageOf(Path source) {
    Path relative = SOURCES.relativize(source.getParent());
    return relative.toString().replace('/', '.');
  }

  private static String withoutComments(String source) {
    return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
  }
}
