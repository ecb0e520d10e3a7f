package io.vertxecho.http;

import io.vertx.core.json.JsonObject;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/** A client of the TCP event-bus bridge on a real socket: frames of a 4-byte big-endian length, then JSON. */
final class TcpBridgeClient implements BusClient, AutoCloseable {

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  TcpBridgeClient(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(20_000);
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  static TcpBridgeClient connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return new TcpBridgeClient(socket);
  }

  Socket socket() {
    return socket;
  }

  TcpBridgeClient send(JsonObject frame) throws IOException {
    byte[] json = frame.encode().getBytes(StandardCharsets.UTF_8);
    out.write(ByteBuffer.allocate(4 + json.length).putInt(json.length).put(json).array());
    out.flush();
    return this;
  }

  TcpBridgeClient register(String address) throws IOException {
    return send(new JsonObject().put("type", "register").put("address", address));
  }

  static JsonObject request(String address, String replyAddress) {
    return new JsonObject().put("type", "send").put("address", address).put("replyAddress", replyAddress).put("body", new JsonObject());
  }

  /** The next frame; null at the end of the stream. */
  JsonObject read() throws IOException {
    int length;
    try {
      length = in.readInt();
    } catch (java.io.EOFException end) {
      return null;
    }
    byte[] json = new byte[length];
    in.readFully(json);
    return new JsonObject(new String(json, StandardCharsets.UTF_8));
  }

  /** Reads frames until one matches (skipping the others); fails at the end of the stream. */
  JsonObject await(String what, Predicate<JsonObject> condition) throws IOException {
    for (JsonObject frame = read(); frame != null; frame = read()) {
      if (condition.test(frame)) {
        return frame;
      }
    }
    throw new IllegalStateException("the bridge closed before " + what);
  }

  /** The body of the next message frame on {@code address} whose body matches. */
  @Override
  public JsonObject awaitBody(String address, String what, Predicate<JsonObject> condition) throws IOException {
    return await(what, frame -> "message".equals(frame.getString("type")) && address.equals(frame.getString("address"))
      && condition.test(frame.getJsonObject("body"))).getJsonObject("body");
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
