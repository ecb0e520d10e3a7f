package io.vertxecho;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The published event contract, docs/events.schema.json: real messages are checked against its definitions. */
public final class EventContract {

  public static final Path SCHEMA = Path.of("docs", "events.schema.json");
  private static final ObjectMapper JSON = new ObjectMapper();

  private EventContract() {
  }

  /** Fails with every violation when {@code message} does not match the schema's definition {@code name}. */
  public static void assertValid(String name, JsonObject message) {
    Set<ValidationMessage> violations = violations(name, message);
    assertTrue(violations.isEmpty(), name + " violates " + SCHEMA + ": " + violations + " in " + message.encode());
  }

  public static Set<ValidationMessage> violations(String name, JsonObject message) {
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(SCHEMA.toFile());
      root.put("$ref", "#/$defs/" + name);
      assertTrue(root.path("$defs").has(name), "no definition " + name + " in " + SCHEMA);
      JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root);
      JsonNode body = JSON.readTree(message.encode());
      return schema.validate(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
