package io.vertxecho.echo;

/** Why a connection ended; every closed connection has exactly one (docs/protocol.md). */
public enum CloseReason {
  CLIENT_CLOSED("client-closed"),
  QUIT("quit"),
  IDLE_TIMEOUT("idle-timeout"),
  LINE_TOO_LONG("line-too-long"),
  SERVER_FULL("server-full"),
  PER_IP_LIMIT("per-ip-limit"),
  TLS_HANDSHAKE_FAILED("tls-handshake-failed"),
  SHUTDOWN("shutdown"),
  /** With {@code proxyProtocol}: the connection did not start with a valid PROXY protocol header. */
  PROXY_HEADER("proxy-header"),
  /** With {@code proxyProtocol}: no complete PROXY protocol header within the header timeout. */
  PROXY_TIMEOUT("proxy-timeout"),
  ERROR("error");

  private final String key;

  CloseReason(String key) {
    this.key = key;
  }

  /** The name used on the wire, in events and in the stats. */
  public String key() {
    return key;
  }
}
