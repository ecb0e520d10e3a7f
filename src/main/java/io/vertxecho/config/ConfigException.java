package io.vertxecho.config;

import io.vertxecho.events.Events;

import static io.vertxecho.config.EchoConfig.HOST;

/** A user mistake in configuration: the message alone says what is wrong and what is allowed. */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message, null, false, false);
  }

  /**
   * A configured address that cannot be bound: a port already in use, or a host that is not this machine's. Both keys are
   * named, since either may be at fault.
   */
  public static ConfigException cannotListen(String hostKey, String portKey, String host, int port, Throwable cause) {
    return new ConfigException("Cannot listen on " + Events.hostPort(host, port) + " (" + hostKey + ", " + portKey + "): "
      + cause.getMessage());
  }

  /** The TLS port cannot start: its address is taken, or the certificate or key is not usable. */
  public static ConfigException cannotListenTls(EchoConfig config, Throwable cause) {
    EchoConfig.Tls tls = config.tls();
    return new ConfigException("Cannot listen with TLS on " + Events.hostPort(config.get(HOST), tls.port()) + " (host, tls.port, tls.certPath "
      + tls.certPath() + ", tls.keyPath " + tls.keyPath() + "): " + cause.getMessage());
  }
}
