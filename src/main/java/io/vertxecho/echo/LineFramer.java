package io.vertxecho.echo;

import io.vertx.core.buffer.Buffer;
import io.vertxecho.config.EchoConfig;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.vertxecho.config.EchoConfig.CLOSE_ON_EMPTY_LINE;
import static io.vertxecho.config.EchoConfig.MAX_LINE_BYTES;
import static io.vertxecho.config.EchoConfig.QUIT_COMMANDS;

/**
 * Line mode's framing, linear whatever the chunking (as Netty's {@code LineBasedFrameDecoder}): each read
 * is scanned once, from its first byte, because the unfinished line before it holds no {@code \n}. Complete
 * lines are echoed as slices of the read; only an unfinished line is copied (small reads merged), so a line's
 * bytes are copied at most once before they are echoed. A read is not looked at once {@link #feed} returns, nor
 * is a buffer once it was handed to the echo (a connection's reads are the channel's pooled memory, released
 * then). A read made only of complete lines goes to the echo whole ({@link Echo#echoWhole}). Confined to its
 * connection's event loop.
 */
final class LineFramer {

  /** Where the framer's echoes go, in order. */
  @FunctionalInterface
  interface Echo {
    /** Bytes to echo: a slice of a read, or a part of an unfinished line the framer kept. */
    void echo(Buffer bytes);

    /** A read echoed whole: the framer does not look at it again once this returns. */
    default void echoWhole(Buffer read) {
      echo(read);
    }
  }

  /** What a read asks the connection to do once its complete lines were echoed. */
  enum Outcome { MORE, QUIT, TOO_LONG }

  private static final int SMALL_READ = 4096;
  private static final int MERGED_CHUNK = 65536;

  private final EchoConfig config;
  private final int longestCommand;
  private final Echo echo;
  /** The unfinished line's parts, made when a line first spans reads: an idle connection holds no list. */
  private List<Buffer> pending;
  private Buffer merging;
  private int pendingLength;
  private long lines;

  LineFramer(EchoConfig config, Echo echo) {
    this(config, longestCommand(config), echo);
  }

  /** @param longestCommand {@link #longestCommand(EchoConfig)}, worked out once for the connections that share {@code config} */
  LineFramer(EchoConfig config, int longestCommand, Echo echo) {
    this.config = config;
    this.echo = echo;
    this.longestCommand = longestCommand;
  }

  /** The length in bytes of the longest quit command: a longer line is no command, whatever it holds. */
  static int longestCommand(EchoConfig config) {
    return config.get(QUIT_COMMANDS).stream()
      .mapToInt(command -> command.getBytes(StandardCharsets.UTF_8).length).max().orElse(0);
  }

  /** Echoes every complete line of {@code data} (and of the unfinished line before it) up to a quit or over-long line. */
  Outcome feed(Buffer data) {
    int length = data.length();
    int lineStart = 0;
    for (int newline = indexOfNewline(data, 0); newline >= 0; newline = indexOfNewline(data, lineStart)) {
      Outcome outcome = endLine(data, lineStart, newline);
      if (outcome != Outcome.MORE) {
        echoUpTo(data, lineStart);
        return outcome;
      }
      lineStart = newline + 1;
    }
    echoUpTo(data, lineStart);
    int rest = length - lineStart;
    if (rest > 0) {
      keep(lineStart == 0 ? data : data.slice(lineStart, length));
    }
    boolean mayEndWithCrLf = rest > 0 && data.getByte(length - 1) == '\r';
    return pendingLength > config.get(MAX_LINE_BYTES) + (mayEndWithCrLf ? 1 : 0) ? Outcome.TOO_LONG : Outcome.MORE;
  }

  /** The client sent its last byte: echoes an unfinished line as it came. */
  void finish() {
    if (pendingLength > 0) {
      lines++;
      echoPending();
    }
  }

  long lines() {
    return lines;
  }

  /** Whether it holds the start of a line that has not ended yet. */
  boolean holdsUnfinishedLine() {
    return pendingLength > 0;
  }

  /** Judges the line ending at {@code newline}: the unfinished line so far followed by {@code data[lineStart, newline)}. */
  private Outcome endLine(Buffer data, int lineStart, int newline) {
    boolean crLf = newline > lineStart ? data.getByte(newline - 1) == '\r' : endsWithCr();
    int end = newline - (crLf && newline > lineStart ? 1 : 0);
    long contentLength = (long) pendingLength + (end - lineStart) - (crLf && newline == lineStart ? 1 : 0);
    if (contentLength > config.get(MAX_LINE_BYTES)) {
      return Outcome.TOO_LONG;
    }
    boolean quit;
    if (contentLength == 0) {
      quit = config.get(CLOSE_ON_EMPTY_LINE);
    } else if (pendingLength == 0) {
      quit = !longerThanAnyCommand(data, lineStart, end) && isQuit(List.of(data), lineStart, end, end - lineStart);
    } else {
      flushMerging();
      pending().add(data);
      quit = isQuit(pending, 0, end, pendingLength + end);
      pending.remove(pending.size() - 1);
    }
    if (quit) {
      return Outcome.QUIT;
    }
    lines++;
    echoPending();
    return Outcome.MORE;
  }

  private void keep(Buffer rest) {
    pendingLength += rest.length();
    if (rest.length() >= SMALL_READ) {
      flushMerging();
      pending().add(Buffer.buffer(rest.length()).appendBuffer(rest));
      return;
    }
    if (merging == null) {
      merging = Buffer.buffer(SMALL_READ);
    }
    merging.appendBuffer(rest);
    if (merging.length() >= MERGED_CHUNK) {
      flushMerging();
    }
  }

  private void flushMerging() {
    if (merging != null) {
      pending().add(merging);
      merging = null;
    }
  }

  private List<Buffer> pending() {
    if (pending == null) {
      pending = new ArrayList<>();
    }
    return pending;
  }

  private boolean endsWithCr() {
    Buffer last = merging != null ? merging : pending == null || pending.isEmpty() ? null : pending.get(pending.size() - 1);
    return last != null && last.getByte(last.length() - 1) == '\r';
  }

  private void echoPending() {
    flushMerging();
    if (pending != null) {
      for (int i = 0, n = pending.size(); i < n; i++) {
        echo.echo(pending.get(i));
      }
      pending.clear();
    }
    pendingLength = 0;
  }

  private void echoUpTo(Buffer data, int upTo) {
    if (upTo == data.length()) {
      echo.echoWhole(data);
    } else if (upTo > 0) {
      echo.echo(data.slice(0, upTo));
    }
  }

  private static int indexOfNewline(Buffer buffer, int from) {
    for (int i = from, n = buffer.length(); i < n; i++) {
      if (buffer.getByte(i) == '\n') {
        return i;
      }
    }
    return -1;
  }

  /**
   * Whether the non-empty line made of {@code parts} (from {@code from} in the first part to {@code to} in
   * the last, {@code length} bytes) is a quit command. Walks in from both ends over blanks only, so a long
   * line costs no more than its blank margins.
   */
  private boolean isQuit(List<Buffer> parts, int from, int to, int length) {
    int last = parts.size() - 1;
    int firstPart = -1;
    int firstIndex = -1;
    int leading = 0;
    search:
    for (int p = 0; p <= last; p++) {
      Buffer part = parts.get(p);
      for (int i = p == 0 ? from : 0, n = p == last ? to : part.length(); i < n; i++) {
        if (!isBlank(part.getByte(i))) {
          firstPart = p;
          firstIndex = i;
          break search;
        }
        leading++;
      }
    }
    if (firstPart < 0) {
      return false;
    }
    int trailing = 0;
    search:
    for (int p = last; p >= 0; p--) {
      Buffer part = parts.get(p);
      for (int i = (p == last ? to : part.length()) - 1, n = p == 0 ? from : 0; i >= n; i--) {
        if (!isBlank(part.getByte(i))) {
          break search;
        }
        trailing++;
      }
    }
    int textLength = length - leading - trailing;
    if (textLength > longestCommand) {
      return false;
    }
    byte[] text = new byte[textLength];
    for (int p = firstPart, i = firstIndex, k = 0; k < textLength; i = 0, p++) {
      Buffer part = parts.get(p);
      for (int n = p == last ? to : part.length(); i < n && k < textLength; i++) {
        text[k++] = part.getByte(i);
      }
    }
    return config.get(QUIT_COMMANDS).contains(new String(text, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
  }

  /** Whether {@code data[from, to)} is a line too long to be a command even once trimmed: the usual line, judged without a list. */
  private boolean longerThanAnyCommand(Buffer data, int from, int to) {
    return to - from > longestCommand && !isBlank(data.getByte(from)) && !isBlank(data.getByte(to - 1));
  }

  private static boolean isBlank(byte b) {
    return (b & 0xff) <= ' ';
  }
}
