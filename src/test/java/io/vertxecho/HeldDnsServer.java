package io.vertxecho;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * A DNS server on a random loopback UDP port that holds every query until {@link #release}, then answers each name
 * with 127.0.0.1 (and an AAAA query with no address). A node told to use it (Vert.x's
 * {@code addressResolverOptions.servers}) and to listen on a name stays in the middle of its startup, as long as the
 * test needs.
 */
final class HeldDnsServer implements AutoCloseable {

  private static final int TYPE_A = 1;

  private final DatagramSocket socket;
  private final Thread thread;
  private final List<DatagramPacket> held = new ArrayList<>();
  private boolean released;

  private HeldDnsServer(DatagramSocket socket) {
    this.socket = socket;
    this.thread = new Thread(this::serve, "held-dns");
    thread.setDaemon(true);
    thread.start();
  }

  static HeldDnsServer start() {
    try {
      return new HeldDnsServer(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    } catch (SocketException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** For Vert.x's {@code addressResolverOptions.servers}. */
  String address() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  /** Waits until a query has arrived (and is held). */
  void awaitQuery() {
    await("a DNS query").atMost(Duration.ofSeconds(60)).until(() -> {
      synchronized (this) {
        return !held.isEmpty();
      }
    });
  }

  /** Answers the held queries, and every later one at once. */
  synchronized void release() {
    released = true;
    held.forEach(this::answer);
    held.clear();
  }

  private void serve() {
    while (!socket.isClosed()) {
      DatagramPacket query = new DatagramPacket(new byte[512], 512);
      try {
        socket.receive(query);
      } catch (IOException e) {
        return;
      }
      synchronized (this) {
        if (released) {
          answer(query);
        } else {
          held.add(query);
        }
      }
    }
  }

  /** The query's header and question, marked as an answer, with one A record for 127.0.0.1 when it asked for A. */
  private void answer(DatagramPacket query) {
    byte[] in = query.getData();
    int end = 12;
    while (in[end] != 0) {
      end += 1 + in[end];
    }
    end += 5; // the name's final zero, the type and the class
    int type = ((in[end - 4] & 0xff) << 8) | (in[end - 3] & 0xff);
    ByteBuffer out = ByteBuffer.allocate(end + 16);
    out.put(in, 0, end);
    out.putShort(2, (short) 0x8180); // a response, recursion desired and available, no error
    out.putShort(6, (short) (type == TYPE_A ? 1 : 0));
    out.putShort(8, (short) 0);
    out.putShort(10, (short) 0);
    if (type == TYPE_A) {
      out.putShort((short) 0xc00c).putShort((short) TYPE_A).putShort((short) 1).putInt(60).putShort((short) 4)
        .put(new byte[] {127, 0, 0, 1});
    }
    try {
      socket.send(new DatagramPacket(out.array(), out.position(), query.getSocketAddress()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
