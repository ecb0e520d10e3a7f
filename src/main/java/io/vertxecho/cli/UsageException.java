package io.vertxecho.cli;

/** A user's mistake on the command line: reported as one line naming the option, never as a stack trace. */
public final class UsageException extends RuntimeException {

  public UsageException(String message) {
    super(message, null, false, false);
  }
}
