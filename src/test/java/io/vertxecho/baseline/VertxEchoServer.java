package io.vertxecho.baseline;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.transport.Transport;
import java.nio.charset.StandardCharsets;

/**
 * Baseline for the memory breakdown: the smallest Vert.x echo server (a NetServer per event loop, raw echo with
 * backpressure), so Vert.x's own cost per connection can be told from vertx-echo's. It uses only APIs that 5.0
 * and 5.2 share, so the same class runs on another vertx-core by classpath.
 * Usage: {@code VertxEchoServer [port] [event loops]}; {@code -Dnio=true} turns the native transport off,
 * {@code -Dio_uring=true} runs on io_uring instead of epoll, and {@code -Dgreeting=TEXT} writes TEXT and a newline to
 * each connection as it opens, then echoes raw: the floor for vertx-echo's line mode, which greets each connection.
 */
public final class VertxEchoServer extends VerticleBase {

  private final int port;
  private final byte[] greeting;

  private VertxEchoServer(int port, byte[] greeting) {
    this.port = port;
    this.greeting = greeting;
  }

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9205;
    int loops = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    VertxOptions options = new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(!Boolean.getBoolean("nio"));
    Vertx vertx = Boolean.getBoolean("io_uring") ? Vertx.builder().with(options).withTransport(Transport.IO_URING).build() : Vertx.vertx(options);
    String text = System.getProperty("greeting", "");
    byte[] greeting = text.isEmpty() ? null : (text + "\n").getBytes(StandardCharsets.UTF_8);
    vertx.deployVerticle(() -> new VertxEchoServer(port, greeting), new DeploymentOptions().setInstances(loops)).await();
    System.out.println("vert.x echo baseline listening on " + port + " (" + vertx.getClass().getPackage().getImplementationVersion()
      + ", native transport " + vertx.isNativeTransportEnabled() + (Boolean.getBoolean("io_uring") ? " (io_uring)" : "") + ", " + loops
      + " event loops" + (greeting == null ? "" : ", greeting '" + text + "'") + ")");
  }

  @Override
  public Future<?> start() {
    return vertx.createNetServer().connectHandler(socket -> {
      if (greeting != null) {
        socket.write(Buffer.buffer(greeting));
      }
      socket.handler(data -> {
        socket.write(data);
        if (socket.writeQueueFull()) {
          socket.pause();
          socket.drainHandler(v -> socket.resume());
        }
      });
    }).listen(port);
  }
}
