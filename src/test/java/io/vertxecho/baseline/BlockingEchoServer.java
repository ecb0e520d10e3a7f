package io.vertxecho.baseline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Baseline for the benchmark: the lesson's first design, a blocking accept loop and one thread per client.
 * {@code --virtual} uses virtual threads (Java 21+, reached reflectively: this code compiles for 17).
 * Usage: {@code BlockingEchoServer [port] [--virtual]}.
 */
public final class BlockingEchoServer {

  private BlockingEchoServer() {
  }

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9202;
    boolean virtual = args.length > 1 && args[1].equals("--virtual");
    Method startVirtual = virtual ? virtualThreadStarter() : null;
    try (ServerSocket server = new ServerSocket()) {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(port), 4096);
      System.out.println("blocking echo baseline listening on " + port + " (" + (virtual ? "virtual" : "platform") + " threads)");
      while (true) {
        Socket socket = server.accept();
        socket.setTcpNoDelay(true);
        Runnable echo = () -> echo(socket);
        if (startVirtual != null) {
          startVirtual.invoke(null, echo);
        } else {
          new Thread(echo).start();
        }
      }
    }
  }

  private static Method virtualThreadStarter() {
    try {
      return Thread.class.getMethod("startVirtualThread", Runnable.class);
    } catch (NoSuchMethodException e) {
      System.err.println("--virtual needs Java 21 or later; this is Java " + Runtime.version().feature());
      System.exit(2);
      return null;
    }
  }

  private static void echo(Socket socket) {
    byte[] buffer = new byte[8192];
    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        out.write(buffer, 0, read);
      }
    } catch (IOException e) {
      // the client went away: nothing to do but close
    }
  }
}
