package io.vertxecho.baseline;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.logging.LogLevel;
import io.netty.handler.logging.LoggingHandler;

/**
 * Baseline for the benchmark: Netty's own echo example ({@code io.netty.example.echo.EchoServer} of Netty 4.2) as it
 * ships, rebuilt on the Netty Vert.x uses: NIO, one acceptor and Netty's default worker count (two per core), a
 * backlog of 100, a {@link LoggingHandler} at INFO on the listening channel (two log lines per accepted connection;
 * start-baseline.sh gives it the example's console logging), and a handler that writes what it reads and flushes
 * once per read batch, without backpressure. {@link NettyEchoServer} is the tuned one. Usage:
 * {@code NettyExampleEchoServer [port] [--no-log]}.
 */
public final class NettyExampleEchoServer {

  private NettyExampleEchoServer() {
  }

  public static void main(String[] args) throws InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9207;
    if (args.length > 2 || args.length == 2 && !args[1].equals("--no-log")) {
      throw new IllegalArgumentException("usage: NettyExampleEchoServer [port] [--no-log]");
    }
    boolean log = args.length < 2;
    EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    EchoHandler echo = new EchoHandler();
    try {
      ServerBootstrap bootstrap = new ServerBootstrap()
        .group(acceptor, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 100)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            channel.pipeline().addLast(echo);
          }
        });
      if (log) {
        bootstrap.handler(new LoggingHandler(LogLevel.INFO));
      }
      Channel server = bootstrap.bind(port).sync().channel();
      System.out.println("netty echo example listening on " + port + " (nio, " + (log ? "accepts logged" : "no log") + ")");
      server.closeFuture().sync();
    } finally {
      acceptor.shutdownGracefully();
      workers.shutdownGracefully();
    }
  }

  /** The example's handler: write what was read, flush at the end of each read batch, close on an error. */
  @Sharable
  static final class EchoHandler extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      cause.printStackTrace();
      ctx.close();
    }
  }
}
