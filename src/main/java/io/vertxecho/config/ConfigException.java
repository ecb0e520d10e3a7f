package io.vertxecho.config;

/** A user mistake in configuration: the message alone says what is wrong and what is allowed. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
