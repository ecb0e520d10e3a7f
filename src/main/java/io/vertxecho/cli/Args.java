package io.vertxecho.cli;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/** Walks command-line options ({@code --name VALUE}, {@code --name=VALUE}, {@code --flag}) and checks their values. */
public final class Args {

  private final Deque<String> remaining;
  private String inlineValue;

  public Args(String[] args) {
    this.remaining = new ArrayDeque<>(Arrays.asList(args));
  }

  public boolean hasNext() {
    return !remaining.isEmpty();
  }

  /** The next option's name; a value given as {@code --name=VALUE} is kept for {@link #value}. */
  public String next() {
    String option = remaining.poll();
    inlineValue = null;
    int equals = option.indexOf('=');
    if (option.startsWith("--") && equals > 0) {
      inlineValue = option.substring(equals + 1);
      option = option.substring(0, equals);
    }
    return option;
  }

  public String value(String option) {
    if (inlineValue != null) {
      String value = inlineValue;
      inlineValue = null;
      return value;
    }
    if (remaining.isEmpty()) {
      throw new UsageException("option " + option + " needs a value");
    }
    return remaining.poll();
  }

  /** For a flag: rejects {@code --flag=VALUE}. */
  public void flag(String option) {
    if (inlineValue != null) {
      throw new UsageException("option " + option + " takes no value (got '" + inlineValue + "')");
    }
  }

  public long longValue(String option, long min, long max) {
    String text = value(option);
    try {
      long value = Long.parseLong(text.replace("_", ""));
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("option " + option + " must be a whole number from " + min + " to " + max + " (got '" + text + "')");
  }

  public int intValue(String option, int min, int max) {
    return (int) longValue(option, min, max);
  }

  public double doubleValue(String option, double min, double max) {
    String text = value(option);
    try {
      double value = Double.parseDouble(text);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("option " + option + " must be a number from " + min + " to " + max + " (got '" + text + "')");
  }

  public static UsageException unknown(String option, String allowed) {
    return new UsageException("unknown option " + option + " (allowed: " + allowed + "; --help explains them)");
  }
}
