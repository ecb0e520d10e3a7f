package io.vertxecho.text;

/** A count with its noun for log lines: "1 connection", "2 connections". */
public final class Plural {

  private Plural() {
  }

  /** {@code count} and {@code noun}, with an "s" unless the count is one (every noun the logs count takes one). */
  public static String of(long count, String noun) {
    return count + " " + (count == 1 ? noun : noun + "s");
  }
}
