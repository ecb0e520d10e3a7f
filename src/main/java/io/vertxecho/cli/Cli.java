package io.vertxecho.cli;

import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintStream;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

/**
 * Parses the {@code client} and {@code bench} options with picocli, the same way for both: {@code --help} prints
 * the generated help on stdout (exit 0); a mistake prints one line on stderr naming the option, the value and what
 * is allowed (exit 2); otherwise the command runs and its exit code is returned.
 */
public final class Cli {

  public static final int EXIT_OK = 0;
  public static final int EXIT_USAGE = 2;

  /** Options whose values picocli has typed; {@link #check} adds ranges and rules across options. */
  public interface Checked {
    /** @throws UsageException naming the option, the value and what is allowed */
    void check();
  }

  private Cli() {
  }

  /** Parses {@code args} into {@code options} and runs {@code command} with them, unless help or a mistake comes first. */
  public static <T extends Checked> int run(T options, String[] args, PrintStream out, PrintStream err, ToIntFunction<T> command) {
    CommandLine cli = commandLine(options);
    try {
      cli.parseArgs(args);
      if (cli.isUsageHelpRequested()) {
        cli.usage(out, Help.Ansi.OFF);
        return EXIT_OK;
      }
      options.check();
    } catch (ParameterException | UsageException e) {
      err.println(cli.getCommandName() + ": " + message(cli, e));
      return EXIT_USAGE;
    }
    return command.applyAsInt(options);
  }

  /** Parses and checks {@code args} into {@code options}, for callers that build a command's options in code. */
  public static <T extends Checked> T parse(T options, String... args) {
    commandLine(options).parseArgs(args);
    options.check();
    return options;
  }

  /** The option's value if it lies in [min, max]; otherwise a usage error naming them. */
  public static long range(String option, long value, long min, long max) {
    if (value < min || value > max) {
      throw new UsageException("option " + option + " must be a whole number from " + min + " to " + max + " (got " + value + ")");
    }
    return value;
  }

  public static double range(String option, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new UsageException("option " + option + " must be a number from " + number(min) + " to " + number(max)
        + " (got " + number(value) + ")");
    }
    return value;
  }

  private static CommandLine commandLine(Object options) {
    CommandLine cli = new CommandLine(options)
      .setExpandAtFiles(false)                // --send @x sends "@x", it does not read a file
      .setOverwrittenOptionsAllowed(true)     // the last of a repeated option wins
      .setUnmatchedOptionsAllowedAsOptionParameters(true)
      .setUsageHelpWidth(100);
    ITypeConverter<Integer> ints = text -> (int) wholeNumber(text, Integer.MIN_VALUE, Integer.MAX_VALUE);
    ITypeConverter<Long> longs = text -> wholeNumber(text, Long.MIN_VALUE, Long.MAX_VALUE);
    ITypeConverter<Double> doubles = Cli::number;
    return cli.registerConverter(int.class, ints).registerConverter(Integer.class, ints)
      .registerConverter(long.class, longs).registerConverter(Long.class, longs)
      .registerConverter(double.class, doubles).registerConverter(Double.class, doubles);
  }

  /** Whole numbers may group digits with underscores: {@code 1_000_000}. */
  private static long wholeNumber(String text, long min, long max) {
    long value;
    try {
      value = Long.parseLong(text.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + text + "' is not a whole number");
    }
    if (value < min || value > max) {
      throw new TypeConversionException("'" + text + "' is too large");
    }
    return value;
  }

  private static double number(String text) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + text + "' is not a number");
    }
  }

  private static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value) : String.valueOf(value);
  }

  private static String message(CommandLine cli, RuntimeException e) {
    if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
      String argument = unmatched.getUnmatched().get(0);
      String allowed = cli.getCommandSpec().options().stream()
        .map(OptionSpec::longestName)
        .collect(Collectors.joining(", "));
      return (argument.startsWith("-") ? "unknown option " + argument : "unexpected argument '" + argument + "'")
        + " (allowed: " + allowed + "; --help explains them)";
    }
    String message = e.getMessage();
    return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
  }
}
