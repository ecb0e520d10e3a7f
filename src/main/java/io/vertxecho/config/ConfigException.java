package io.vertxecho.config;

import io.vertxecho.events.Events;

/** A user mistake in configuration: the message alone says what is wrong and what is allowed. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message, null, false, false);
  }

  /** A configured address that cannot be bound, e.g. a port already in use. */
  public static ConfigException cannotListen(String key, String host, int port, Throwable cause) {
    return new ConfigException("Cannot listen on " + Events.hostPort(host, port) + " (" + key + "): " + cause.getMessage());
  }

  /** The TLS port cannot start: its address is taken, or the certificate or key is not usable. */
  public static ConfigException cannotListenTls(EchoConfig config, Throwable cause) {
    EchoConfig.Tls tls = config.tls();
    return new ConfigException("Cannot listen with TLS on " + Events.hostPort(config.host(), tls.port()) + " (tls.port, tls.certPath "
      + tls.certPath() + ", tls.keyPath " + tls.keyPath() + "): " + cause.getMessage());
  }
}
