package io.vertxecho.cluster;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.vertxecho.Programs.onPath;

/** The C# example consumer (examples/csharp), compiled with mcs and run on Mono against a node's TCP bridge. */
public final class CSharpConsumer implements AutoCloseable {

  private final Process process;
  private final List<JsonObject> messages = new CopyOnWriteArrayList<>();

  private CSharpConsumer(Process process) {
    this.process = process;
    Thread reader = new Thread(this::read, "csharp-consumer-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Why it cannot run here (no mcs or mono on the PATH), or null. */
  public static String whyNot() {
    return onPath("mcs") && onPath("mono") ? null : "no mcs and mono on the PATH (.ci/run installs mono-mcs and mono-runtime)";
  }

  static CSharpConsumer start(Path baseDir, String host, int port) {
    Path exe = compile(baseDir);
    try {
      return new CSharpConsumer(new ProcessBuilder("mono", exe.toString(), "--host", host, "--port", String.valueOf(port),
        "--schema", "docs/events.schema.json").directory(baseDir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Compiles examples/csharp/Consumer.cs of {@code baseDir} with mcs; the program's path, to run on Mono. */
  public static Path compile(Path baseDir) {
    try {
      Path exe = Files.createDirectories(baseDir.resolve("target/csharp")).resolve("consumer.exe");
      Process compile = new ProcessBuilder("mcs", "-out:" + exe, "examples/csharp/Consumer.cs").directory(baseDir.toFile())
        .redirectErrorStream(true).start();
      compile.getOutputStream().close();
      String output = new String(compile.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (compile.waitFor() != 0) {
        throw new IllegalStateException("mcs examples/csharp/Consumer.cs: " + output);
      }
      return exe;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The bodies it printed for {@code address}, each already checked against the schema by the consumer. */
  List<JsonObject> bodies(String address) {
    if (!process.isAlive() && process.exitValue() != 0) {
      throw new AssertionError("the C# consumer exited with " + process.exitValue() + " (3: a message did not match the schema)");
    }
    return messages.stream().filter(message -> address.equals(message.getString("address")))
      .map(message -> message.getJsonObject("body")).toList();
  }

  private void read() {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      out.lines().map(JsonObject::new).forEach(messages::add);
    } catch (IOException ended) {
      // the process was stopped
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
