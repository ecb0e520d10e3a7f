package io.vertxecho.bench;

import io.vertx.core.buffer.Buffer;

/**
 * The bytes bench sends, a function of (connection, message number), so every echoed byte can be checked
 * without keeping a copy. Line mode uses only printable non-letters (never a quit command, never blank).
 */
final class Payload {

  private static final int PERIOD = 251;

  private final int size;
  private final boolean lineMode;
  private final byte[] pattern;

  Payload(int size, boolean lineMode) {
    this.size = size;
    this.lineMode = lineMode;
    this.pattern = new byte[PERIOD + size];
    for (int i = 0; i < pattern.length; i++) {
      pattern[i] = lineMode ? (byte) ('!' + (i * 7 % 32)) : (byte) (i * 131 + (i >> 3));
    }
  }

  int size() {
    return size;
  }

  /** Where message {@code sequence} of {@code connection} starts in the pattern. */
  int start(long connection, long sequence) {
    return (int) ((connection * 31 + sequence * 17) % PERIOD);
  }

  Buffer message(long connection, long sequence) {
    Buffer message = Buffer.buffer(size).appendBytes(pattern, start(connection, sequence), size);
    return lineMode ? message.setByte(size - 1, (byte) '\n') : message;
  }

  byte expected(int start, int index) {
    return lineMode && index == size - 1 ? (byte) '\n' : pattern[start + index];
  }
}
