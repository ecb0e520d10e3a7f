package io.vertxecho.text;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

@DisplayName("The nearest valid word to a mistyped one")
class NearestTest {

  @Test
  @DisplayName("a swap, a missing, an extra or a wrong letter, in any case, is a typo of the word")
  void typos() {
    List<String> commands = List.of("client", "bench", "help");
    assertEquals(Optional.of("client"), Nearest.to("clinet", commands));
    assertEquals(Optional.of("client"), Nearest.to("CLIENT", commands));
    assertEquals(Optional.of("bench"), Nearest.to("bnch", commands));
    assertEquals(Optional.of("greeting"), Nearest.to("greting", List.of("goodbye", "greeting", "port")));
    assertEquals(Optional.of("ECHO_PORT"), Nearest.to("ECHO_PROT", List.of("ECHO_HOST", "ECHO_PORT", "ECHO_MODE")));
  }

  @Test
  @DisplayName("a word far from every candidate has no nearest one")
  void farFromAll() {
    assertEquals(Optional.empty(), Nearest.to("foo.Bar", List.of("client", "bench", "help")));
    assertEquals(Optional.empty(), Nearest.to("xy", List.of("port")));
    assertEquals(Optional.empty(), Nearest.to("port", List.of()));
  }

  @Test
  @DisplayName("the distance counts a swap of neighbours as one edit")
  void distance() {
    assertEquals(0, Nearest.distance("port", "port"));
    assertEquals(1, Nearest.distance("prot", "port"));
    assertEquals(1, Nearest.distance("port", "ports"));
    assertEquals(3, Nearest.distance("", "abc"));
  }
}
