package io.vertxecho.config;

import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/configuration.md's table of keys is the declarations in {@link EchoConfig}, row for row. */
@DisplayName("The configuration table in the docs")
class ConfigurationDocTest {

  private static final Path DOC = Path.of("docs", "configuration.md");
  private static final String START = "<!-- keys: generated from EchoConfig's declarations; ConfigurationDocTest checks it -->";
  private static final String END = "<!-- /keys -->";

  @Test
  @DisplayName("lists every declared key with its default, allowed values, environment variable, property and when it applies")
  void tableMatchesTheDeclarations() throws IOException {
    List<String> lines = Files.readAllLines(DOC);
    int start = lines.indexOf(START);
    int end = lines.indexOf(END);
    assertTrue(start >= 0 && end > start, DOC + " has no table between " + START + " and " + END);
    String expected = String.join("\n", table());
    String actual = String.join("\n", lines.subList(start + 1, end));
    if (!expected.equals(actual)) {
      Path generated = Path.of("target", "configuration-table.md");
      Files.createDirectories(generated.getParent());
      Files.writeString(generated, expected + "\n");
      assertEquals(expected, actual, "the table in " + DOC + " differs from the declarations: the table they make is in " + generated);
    }
  }

  /** The table the declarations make: one row per key, in declaration order. */
  static List<String> table() {
    List<String> rows = new ArrayList<>();
    rows.add("| key | default | allowed | environment, property | applies | meaning |");
    rows.add("|---|---|---|---|---|---|");
    for (Key<?> key : EchoConfig.KEYS) {
      rows.add("| `" + key.name() + "` | " + defaultCell(key) + " | " + key.allowed().replace("*", "\\*") + " | `" + key.envName() + "`, `-D"
        + key.propertyName() + "` | " + key.applies().name().toLowerCase(Locale.ROOT) + " | " + key.doc() + " |");
    }
    return rows;
  }

  private static String defaultCell(Key<?> key) {
    if (key.defaultDoc() != null) {
      return key.defaultDoc();
    }
    Object value = key.defaultJson();
    if (value instanceof JsonArray array) {
      return "`" + array.encode() + "`";
    }
    return value.toString().isEmpty() ? "empty" : "`" + value + "`";
  }
}
