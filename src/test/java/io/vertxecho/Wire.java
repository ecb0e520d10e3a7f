package io.vertxecho;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A plain blocking TCP client for tests: exact bytes in and out, and half-close, which Vert.x's
 * NetClient cannot do. Reads time out after 20 s so a missing reply fails instead of hanging.
 */
public final class Wire implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;

  private Wire(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  public static Wire connect(int port) {
    return connectFrom(null, port);
  }

  /** Wraps a connected socket (e.g. a TLS one) with the same 20 s read timeout. */
  public static Wire over(Socket socket) {
    try {
      socket.setSoTimeout(20_000);
      return new Wire(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Connects from a given loopback address (e.g. 127.0.0.2), to look like another client host. */
  public static Wire connectFrom(String localAddress, int port) {
    try {
      Socket socket = new Socket();
      if (localAddress != null) {
        socket.bind(new InetSocketAddress(localAddress, 0));
      }
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(20_000);
      return new Wire(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Wire send(String text) {
    return send(text.getBytes(StandardCharsets.UTF_8));
  }

  public Wire send(byte[] bytes) {
    try {
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Half-closes: the server sees the end of the stream but may still write. */
  public Wire shutdownOutput() {
    try {
      socket.shutdownOutput();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next line without its {@code \n}, or null at the end of the stream. */
  public String readLine() {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
        }
        line.write(b);
      }
      return line.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Exactly {@code count} bytes (fails if the stream ends first). */
  public byte[] readBytes(int count) {
    try {
      byte[] bytes = in.readNBytes(count);
      if (bytes.length < count) {
        throw new IllegalStateException("stream ended after " + bytes.length + " of " + count + " bytes");
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String readString(int count) {
    return new String(readBytes(count), StandardCharsets.UTF_8);
  }

  /** Everything until the server closes. */
  public byte[] readToEnd() {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String readToEndString() {
    return new String(readToEnd(), StandardCharsets.UTF_8);
  }

  public InputStream input() {
    return in;
  }

  public Socket socket() {
    return socket;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a test socket twice is harmless
    }
  }
}
