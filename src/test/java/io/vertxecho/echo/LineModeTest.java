package io.vertxecho.echo;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

@ExtendWith(VertxExtension.class)
@Timeout(30)
@DisplayName("Line mode, default settings (docs/protocol.md)")
class LineModeTest {

  private static final String GREETING = "Welcome to my server\n";
  private static TestNode node;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, new JsonObject().put("maxLineBytes", 16));
  }

  @Test
  @DisplayName("sends the greeting followed by \\n on connect")
  void greeting() {
    try (Wire client = Wire.connect(node.port())) {
      assertEquals("Welcome to my server", client.readLine());
    }
  }

  @Test
  @DisplayName("echoes each line with the terminator it came with, \\n or \\r\\n")
  void echoesLinesWithTheirTerminators() {
    try (Wire client = Wire.connect(node.port())) {
      client.readLine();
      client.send("hello\r\nworld\n");
      assertEquals("hello\r\nworld\n", client.readString(13));
    }
  }

  @Test
  @DisplayName("echoes bytes that are not UTF-8 untouched")
  void echoesInvalidUtf8Untouched() {
    byte[] line = {(byte) 0xff, (byte) 0xfe, 0, (byte) 0x80, (byte) 0xc3, '\r', '\n'};
    try (Wire client = Wire.connect(node.port())) {
      client.readLine();
      client.send(line);
      assertArrayEquals(line, client.readBytes(line.length));
    }
  }

  @Test
  @DisplayName("echoes a line split across many TCP writes once it is complete")
  void reassemblesSplitLines() {
    try (Wire client = Wire.connect(node.port())) {
      client.readLine();
      client.send("spl").send("it li").send("ne\nnext\n");
      assertEquals("split line", client.readLine());
      assertEquals("next", client.readLine());
    }
  }

  @Test
  @DisplayName("a quit command, trimmed and in any case, is not echoed: the server says Bye and closes")
  void quitCommandSaysGoodbyeAndCloses() {
    try (Wire client = Wire.connect(node.port())) {
      client.send("first\n  QuIt \t\nnever echoed\n");
      assertEquals(GREETING + "first\nBye\n", client.readToEndString());
    }
  }

  @Test
  @DisplayName("exit is a quit command too, also with a \\r\\n terminator")
  void exitClosesToo() {
    try (Wire client = Wire.connect(node.port())) {
      client.send("Exit\r\n");
      assertEquals(GREETING + "Bye\n", client.readToEndString());
    }
  }

  @Test
  @DisplayName("empty lines are echoed when closeOnEmptyLine is false (the default)")
  void emptyLinesAreEchoedByDefault() {
    try (Wire client = Wire.connect(node.port())) {
      client.readLine();
      client.send("\n\r\nafter\n");
      assertEquals("\n\r\nafter\n", client.readString(9));
    }
  }

  @Test
  @DisplayName("a line of exactly maxLineBytes is echoed, with \\n or \\r\\n")
  void lineAtTheLimitIsEchoed() {
    String sixteen = "0123456789abcdef";
    try (Wire client = Wire.connect(node.port())) {
      client.readLine();
      client.send(sixteen + "\n" + sixteen + "\r\n");
      assertEquals(sixteen + "\n" + sixteen + "\r\n", client.readString(35));
    }
  }

  @Test
  @DisplayName("a line longer than maxLineBytes: earlier lines echoed, then ERR line too long and close")
  void lineTooLongWithTerminator() {
    try (Wire client = Wire.connect(node.port())) {
      client.send("ok\n0123456789abcdefX\nnot echoed\n");
      assertEquals(GREETING + "ok\nERR line too long (limit 16 bytes)\n", client.readToEndString());
    }
  }

  @Test
  @DisplayName("an unterminated line growing past maxLineBytes gets ERR line too long and close")
  void lineTooLongWithoutTerminator() {
    try (Wire client = Wire.connect(node.port())) {
      client.readLine();
      client.send("ok\n").send("0123456789").send("abcdefghij");
      assertEquals("ok\nERR line too long (limit 16 bytes)\n", client.readToEndString());
    }
  }

  @Test
  @DisplayName("half-close: after the client's FIN, every line is echoed, a last line without \\n as it came, then close")
  void halfCloseEchoesEverything() {
    try (Wire client = Wire.connect(node.port())) {
      client.send("a\nb").shutdownOutput();
      assertEquals(GREETING + "a\nb", client.readToEndString());
    }
  }

  @Test
  @DisplayName("half-close: a last line without \\n read before the FIN came is echoed too (the FIN is read on its own)")
  void halfCloseAfterAnUnfinishedLine() {
    try (Wire client = Wire.connect(node.port())) {
      assertEquals(GREETING.strip(), client.readLine());
      client.send("a\nb");
      assertEquals("a", client.readLine());
      client.shutdownOutput();
      assertEquals("b", client.readToEndString());
    }
  }

  @Test
  @DisplayName("half-close right after connecting still gets the greeting, then close")
  void halfCloseAtOnce() {
    try (Wire client = Wire.connect(node.port())) {
      client.shutdownOutput();
      assertEquals(GREETING, client.readToEndString());
      assertNull(client.readLine());
    }
  }
}
