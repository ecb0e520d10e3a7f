package io.vertxecho.echo;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertxecho.TestNode;
import io.vertxecho.Wire;
import io.vertxecho.config.EchoConfig;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static io.vertxecho.config.EchoConfig.CLOSE_ON_EMPTY_LINE;
import static io.vertxecho.config.EchoConfig.MAX_LINE_BYTES;
import static io.vertxecho.config.EchoConfig.QUIT_COMMANDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * For any byte stream and any split into reads, the echo is exact (docs/protocol.md): the line framer against
 * a plain reference model with exact splits, then real servers over loopback in line and raw mode. The
 * streams are made of the bytes that matter (CR, LF, blanks, quit words, non-UTF-8) so terminators, quit
 * words and the {@code maxLineBytes} boundary often fall across reads.
 */
@Label("Echo properties: any stream, any split")
class EchoPropertiesTest {

  private static final byte[] ALPHABET = "\n\r\n \tEXITexitquitQa".getBytes(StandardCharsets.US_ASCII);
  private static final int SERVER_MAX_LINE_BYTES = 8;

  private static Vertx lineVertx;
  private static Vertx rawVertx;
  private static TestNode lineNode;
  private static TestNode rawNode;

  @BeforeContainer
  static void start() {
    // One Vert.x each: nodes asking for a random port in one Vert.x would share it.
    lineVertx = Vertx.vertx();
    rawVertx = Vertx.vertx();
    lineNode = TestNode.start(lineVertx, new JsonObject().put("maxLineBytes", SERVER_MAX_LINE_BYTES).put("closeOnEmptyLine", true));
    rawNode = TestNode.start(rawVertx, new JsonObject().put("mode", "raw"));
  }

  @AfterContainer
  static void stop() {
    lineVertx.close().await();
    rawVertx.close().await();
  }

  @Property(tries = 2000)
  @Label("the framer echoes what the reference model echoes, whatever the split")
  void framerMatchesModel(@ForAll("streams") byte[] stream, @ForAll("splits") List<Integer> split,
                          @ForAll @IntRange(min = 1, max = 12) int maxLineBytes, @ForAll boolean closeOnEmptyLine) {
    EchoConfig config = EchoConfig.fromJson(EchoConfig.defaults()
      .put("maxLineBytes", maxLineBytes).put("closeOnEmptyLine", closeOnEmptyLine));
    Expected expected = Expected.of(stream, config);
    ByteArrayOutputStream echoed = new ByteArrayOutputStream();
    LineFramer framer = new LineFramer(config, buffer -> echoed.writeBytes(buffer.getBytes()));
    LineFramer.Outcome outcome = LineFramer.Outcome.MORE;
    for (byte[] read : chunks(stream, split)) {
      outcome = framer.feed(Buffer.buffer(read));
      if (outcome != LineFramer.Outcome.MORE) {
        break;
      }
    }
    if (outcome == LineFramer.Outcome.MORE) {
      framer.finish();
    }
    assertEquals(expected.outcome, outcome);
    assertEquals(new String(expected.echo, StandardCharsets.ISO_8859_1), echoed.toString(StandardCharsets.ISO_8859_1));
  }

  @Property(tries = 150)
  @Label("a line-mode server echoes what the model echoes, whatever the split, then says why it closed")
  void lineServerMatchesModel(@ForAll("streams") byte[] stream, @ForAll("splits") List<Integer> split) {
    EchoConfig config = EchoConfig.fromJson(EchoConfig.defaults()
      .put("maxLineBytes", SERVER_MAX_LINE_BYTES).put("closeOnEmptyLine", true));
    Expected expected = Expected.of(stream, config);
    // Send no byte after the one that ends the conversation: unread bytes would make the server's close a reset.
    byte[] sent = Arrays.copyOf(stream, expected.consumed);
    String ending = switch (expected.outcome) {
      case QUIT -> "Bye\n";
      case TOO_LONG -> "ERR line too long (limit " + SERVER_MAX_LINE_BYTES + " bytes)\n";
      case MORE -> "";
    };
    byte[] reply = exchange(lineNode.port(), sent, split);
    assertEquals(EchoConfig.DEFAULT_LINE_GREETING + "\n" + new String(expected.echo, StandardCharsets.ISO_8859_1) + ending,
      new String(reply, StandardCharsets.ISO_8859_1));
  }

  @Property(tries = 100)
  @Label("a raw-mode server echoes every byte exactly, whatever the split")
  void rawServerEchoesExactly(@ForAll("streams") byte[] stream, @ForAll("splits") List<Integer> split) {
    assertArrayEquals(stream, exchange(rawNode.port(), stream, split));
  }

  @Provide
  Arbitrary<byte[]> streams() {
    Arbitrary<Byte> special = Arbitraries.of(toList(ALPHABET));
    Arbitrary<Byte> any = Arbitraries.bytes();
    return Arbitraries.frequencyOf(Tuple.of(8, special), Tuple.of(1, any))
      .list().ofMaxSize(300)
      .map(EchoPropertiesTest::toArray);
  }

  @Provide
  Arbitrary<List<Integer>> splits() {
    return Arbitraries.integers().between(1, 20).list().ofMinSize(1).ofMaxSize(30);
  }

  /** Sends {@code stream} in reads of the given sizes (the last size repeats), half-closes and reads to the end. */
  private static byte[] exchange(int port, byte[] stream, List<Integer> split) {
    try (Wire client = Wire.connect(port)) {
      client.socket().setTcpNoDelay(true);
      for (byte[] read : chunks(stream, split)) {
        client.send(read);
      }
      client.shutdownOutput();
      return client.readToEnd();
    } catch (java.net.SocketException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<byte[]> chunks(byte[] stream, List<Integer> sizes) {
    List<byte[]> chunks = new ArrayList<>();
    for (int start = 0, i = 0; start < stream.length; i++) {
      int end = Math.min(stream.length, start + sizes.get(Math.min(i, sizes.size() - 1)));
      chunks.add(Arrays.copyOfRange(stream, start, end));
      start = end;
    }
    return chunks;
  }

  private static List<Byte> toList(byte[] bytes) {
    List<Byte> list = new ArrayList<>();
    for (byte b : bytes) {
      list.add(b);
    }
    return list;
  }

  private static byte[] toArray(List<Byte> list) {
    byte[] bytes = new byte[list.size()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = list.get(i);
    }
    return bytes;
  }

  /**
   * The reference model, written from docs/protocol.md on the whole stream at once: the bytes echoed, how the
   * conversation ends, and how many bytes the server has consumed by then.
   */
  private record Expected(byte[] echo, LineFramer.Outcome outcome, int consumed) {

    static Expected of(byte[] stream, EchoConfig config) {
      int max = config.get(MAX_LINE_BYTES);
      int start = 0;
      while (true) {
        int newline = indexOf(stream, (byte) '\n', start);
        int tooLongAt = -1;
        for (int end = start + 1; end <= (newline < 0 ? stream.length : newline); end++) {
          if (end - start > max + (stream[end - 1] == '\r' ? 1 : 0)) {
            tooLongAt = end;
            break;
          }
        }
        if (newline < 0) {
          return tooLongAt >= 0
            ? new Expected(Arrays.copyOf(stream, start), LineFramer.Outcome.TOO_LONG, tooLongAt)
            : new Expected(stream, LineFramer.Outcome.MORE, stream.length);
        }
        int end = newline > start && stream[newline - 1] == '\r' ? newline - 1 : newline;
        if (tooLongAt >= 0 || end - start > max) {
          return new Expected(Arrays.copyOf(stream, start), LineFramer.Outcome.TOO_LONG, tooLongAt >= 0 ? tooLongAt : newline + 1);
        }
        if (isQuit(Arrays.copyOfRange(stream, start, end), config)) {
          return new Expected(Arrays.copyOf(stream, start), LineFramer.Outcome.QUIT, newline + 1);
        }
        start = newline + 1;
      }
    }

    private static boolean isQuit(byte[] line, EchoConfig config) {
      if (line.length == 0) {
        return config.get(CLOSE_ON_EMPTY_LINE);
      }
      int from = 0;
      int to = line.length;
      while (from < to && (line[from] & 0xff) <= ' ') {
        from++;
      }
      while (to > from && (line[to - 1] & 0xff) <= ' ') {
        to--;
      }
      return from < to && config.get(QUIT_COMMANDS).contains(new String(line, from, to - from, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
      for (int i = from; i < bytes.length; i++) {
        if (bytes[i] == b) {
          return i;
        }
      }
      return -1;
    }
  }
}
