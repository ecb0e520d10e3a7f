package io.vertxecho.client;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import io.vertxecho.internal.VertxInternals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * One client connection: prints what the server sends, sends typed or scripted lines, and settles the exit
 * code. Confined to the socket's event loop; only the stdin reader thread hands lines over to it.
 */
final class ClientSession {

  private final ClientOptions options;
  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;
  private final Promise<Integer> result = Promise.promise();
  private final Buffer scriptedLine;
  private NetSocket socket;
  private Future<Void> lastWrite = Future.succeededFuture();
  private long sent;
  private long echoes;
  private long rawBytes;
  private String errorLine;

  ClientSession(ClientOptions options, InputStream in, PrintStream out, PrintStream err) {
    this.options = options;
    this.in = in;
    this.out = out;
    this.err = err;
    this.scriptedLine = options.scripted() ? Buffer.buffer(options.send() + "\n") : null;
  }

  /** Sets the socket's handlers; called where the socket is created, before its first byte is read. */
  void attach(NetSocket socket) {
    this.socket = socket;
    if (options.raw()) {
      socket.handler(this::handleBytes);
    } else {
      RecordParser.newDelimited("\n", socket).handler(this::handleLine);
    }
    socket.exceptionHandler(failure -> err.println("client: " + describe(failure)));
    socket.closeHandler(v -> handleClosed());
  }

  /** Starts sending, on the socket's context once it is attached, and completes with the exit code. */
  Future<Integer> start(Vertx vertx) {
    if (options.scripted()) {
      long timer = vertx.setTimer(options.timeoutSeconds() * 1000L, id -> finish(EchoClient.EXIT_FAILED,
        "no complete echo within " + options.timeoutSeconds() + " s (" + progress() + ")"));
      result.future().onComplete(done -> vertx.cancelTimer(timer));
      sendScripted();
    } else {
      readStdin(vertx.getOrCreateContext());
    }
    return result.future();
  }

  private void handleLine(Buffer record) {
    String line = record.toString(StandardCharsets.UTF_8);
    out.println(line);
    if (line.startsWith("ERR ")) {
      errorLine = line;
    }
    if (options.scripted() && stripCr(line).equals(options.send()) && ++echoes == options.count()) {
      finish(EchoClient.EXIT_OK, null);
    }
  }

  private void handleBytes(Buffer data) {
    out.write(data.getBytes(), 0, data.length());
    out.flush();
    rawBytes += data.length();
    if (options.scripted() && rawBytes >= options.count() * scriptedLine.length()) {
      finish(EchoClient.EXIT_OK, null);
    }
  }

  private void sendScripted() {
    while (sent < options.count() && !socket.writeQueueFull()) {
      socket.write(scriptedLine.copy());
      sent++;
    }
    if (sent < options.count()) {
      socket.drainHandler(v -> sendScripted());
    }
  }

  /**
   * Reads stdin on its own thread (it blocks) and hands what it reads to the socket's event loop: in line mode each
   * line, ended with a newline (a last line without one gets it); in raw mode the bytes exactly as they come.
   */
  private void readStdin(Context context) {
    Thread reader = new Thread(() -> {
      try {
        if (options.raw()) {
          sendBytes(context);
        } else {
          sendLines(context);
        }
      } catch (IOException e) {
        context.runOnContext(v -> err.println("client: cannot read input: " + e.getMessage()));
      }
      context.runOnContext(v -> lastWrite.onComplete(written -> halfClose()));
    }, "client-stdin");
    reader.setDaemon(true);
    reader.start();
  }

  private void sendLines(Context context) throws IOException {
    BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      send(context, Buffer.buffer(line + "\n"));
    }
  }

  private void sendBytes(Context context) throws IOException {
    byte[] chunk = new byte[8192];
    for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
      send(context, Buffer.buffer().appendBytes(chunk, 0, n));
    }
  }

  private void send(Context context, Buffer data) {
    context.runOnContext(v -> lastWrite = socket.write(data));
  }

  /** End of input: stop sending but keep reading, so replies still on their way are printed. */
  private void halfClose() {
    VertxInternals.shutdownOutput(socket);
  }

  /** A socket failure in the user's words: the native transport's "recvAddress(..) failed with error(-104): ..." is noise. */
  private static String describe(Throwable failure) {
    String message = String.valueOf(failure.getMessage());
    return message.contains("Connection reset by peer") ? "the server reset the connection" : message;
  }

  private void handleClosed() {
    if (errorLine != null) {
      finish(EchoClient.EXIT_SERVER_ERROR, "the server closed the connection with: " + errorLine);
    } else if (options.scripted()) {
      finish(EchoClient.EXIT_FAILED, "the server closed the connection early (" + progress() + ")");
    } else {
      finish(EchoClient.EXIT_OK, null);
    }
  }

  private void finish(int code, String message) {
    if (result.tryComplete(code)) {
      if (message != null) {
        err.println("client: " + message);
      }
      socket.close();
    }
  }

  private String progress() {
    long received = options.raw() ? rawBytes / scriptedLine.length() : echoes;
    return received + " of " + options.count() + " echoes received";
  }

  private static String stripCr(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }
}
