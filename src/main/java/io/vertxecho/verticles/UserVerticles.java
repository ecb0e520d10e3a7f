package io.vertxecho.verticles;

import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.VerticleFactory;
import io.vertxecho.config.ConfigException;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.config.VerticleEntry;
import io.vertxecho.events.Events;
import io.vertxecho.internal.JavaVerticles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The node's user verticles (the {@code verticles} config key): deploys each entry by name through Vert.x's verticle
 * factories, applies a changed list entry by entry (new versions first; a change that cannot be deployed whole leaves
 * the running set as it was), publishes what runs with its state ({@link Events#VERTICLES}) and stops them in the
 * node's order: when the stats ask ({@link Events#VERTICLES_STOP}), after the echo drain. Registered by the main
 * verticle on its own context, and confined to it; the user verticles are its deployments' children.
 */
public final class UserVerticles {

  private static final Logger log = LoggerFactory.getLogger(UserVerticles.class);

  private final Vertx vertx;
  private final Context context;
  private final String jarFolder;
  /** Completed when the node stops and its echo instances have drained: every user verticle may stop. */
  private final Promise<Void> nodeDrained = Promise.promise();
  private final Map<String, Running> running = new LinkedHashMap<>();
  private boolean publishPending;

  private UserVerticles(Vertx vertx, String jarFolder) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.jarFolder = jarFolder;
  }

  /** Starts managing user verticles on the calling verticle's context; {@code jarFolder} is the {@code verticleJars} key. */
  public static Future<UserVerticles> register(Vertx vertx, String jarFolder) {
    UserVerticles verticles = new UserVerticles(vertx, jarFolder);
    return vertx.eventBus().localConsumer(Events.VERTICLES_STOP, verticles::stopAll).completion().map(verticles);
  }

  /** The entries that run. */
  public List<VerticleEntry> entries() {
    return running.values().stream().map(Running::entry).toList();
  }

  /** Lets every user verticle stop at once (the node failed to start: there is no drain to wait for). */
  public void release() {
    nodeDrained.tryComplete();
  }

  /**
   * Makes {@code wanted} run: deploys the entries that are new or changed, then undeploys the ones removed and the
   * old versions of the changed. If one cannot be deployed, the ones this call deployed are undeployed and the running
   * set stays; the future fails with a {@link ConfigException} naming the entry and the cause. It succeeds with a
   * line that says what changed (empty when nothing did).
   */
  public Future<String> apply(List<VerticleEntry> wanted) {
    Map<String, VerticleEntry> byName = new LinkedHashMap<>();
    wanted.forEach(entry -> byName.put(entry.name(), entry));
    List<VerticleEntry> added = new ArrayList<>();
    List<Future<Running>> deploying = new ArrayList<>();
    for (VerticleEntry entry : wanted) {
      Running current = running.get(entry.name());
      if (current == null || !current.entry().equals(entry)) {
        added.add(entry);
        deploying.add(deploy(entry));
      }
    }
    List<Running> retired = running.values().stream()
      .filter(current -> !current.entry().equals(byName.get(current.entry().name()))).toList();
    if (deploying.isEmpty() && retired.isEmpty()) {
      return Future.succeededFuture("");
    }
    return Future.join(deploying).transform(all -> {
      if (all.failed()) {
        deploying.stream().filter(Future::succeeded).forEach(deployed -> undeploy(deployed.result()));
        for (int i = 0; i < deploying.size(); i++) {
          if (deploying.get(i).failed()) {
            return Future.failedFuture(cannotDeploy(wanted.indexOf(added.get(i)), added.get(i), deploying.get(i).cause()));
          }
        }
      }
      List<String> changes = new ArrayList<>();
      for (Running old : retired) {
        running.remove(old.entry().name());
        undeploy(old);
        if (!byName.containsKey(old.entry().name())) {
          changes.add("undeployed " + old.entry().name());
        }
      }
      for (Future<Running> deployed : deploying) {
        Running fresh = deployed.result();
        changes.add((retired.stream().anyMatch(old -> old.entry().name().equals(fresh.entry().name())) ? "redeployed " : "deployed ")
          + fresh.entry().name() + " (" + fresh.entry().instances() + (fresh.entry().instances() == 1 ? " instance)" : " instances)"));
      }
      Map<String, Running> ordered = new LinkedHashMap<>();
      for (VerticleEntry entry : wanted) {
        Running fresh = deploying.stream().map(Future::result).filter(r -> r.entry().equals(entry)).findFirst().orElse(running.get(entry.name()));
        ordered.put(entry.name(), fresh);
      }
      running.clear();
      running.putAll(ordered);
      publish();
      return Future.succeededFuture(String.join(", ", changes));
    });
  }

  private static ConfigException cannotDeploy(int index, VerticleEntry entry, Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String why = root == cause ? String.valueOf(cause.getMessage()) : cause.getMessage() + ": " + root.getMessage();
    return new ConfigException("Invalid configuration: " + EchoConfig.VERTICLES.name() + "[" + index + "] = \"" + entry.name()
      + "\" could not be deployed: " + why.lines().findFirst().orElse(why));
  }

  private Future<Running> deploy(VerticleEntry entry) {
    Running record = new Running(entry, nodeDrained.future());
    return vertx.executeBlocking(() -> classLoader(entry))
      .compose(loader -> {
        record.loader = loader;
        return create(entry, loader);
      })
      .compose(factory -> vertx.deployVerticle(() -> new UserVerticle(instance(factory), record,
          failure -> context.runOnContext(v -> failed(record, failure))),
        new DeploymentOptions().setInstances(entry.instances()).setConfig(entry.config().copy()).setClassLoader(record.loader)))
      .map(id -> {
        record.deployed(id);
        return record;
      })
      .onFailure(failure -> record.closeLoader());
  }

  private static Deployable instance(Callable<? extends Deployable> factory) {
    try {
      return factory.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /**
   * The factory Vert.x would choose for the name: by prefix ({@code groovy:}), else by suffix ({@code .groovy}), else
   * Vert.x's default one, which loads a class or compiles a {@code .java} file (blocking, so off the event loop).
   */
  private Future<Callable<? extends Deployable>> create(VerticleEntry entry, ClassLoader loader) {
    String name = entry.name();
    int colon = name.indexOf(':');
    int dot = name.lastIndexOf('.');
    String lookup = colon >= 0 ? name.substring(0, colon) : dot >= 0 ? name.substring(dot + 1) : "";
    VerticleFactory registered = vertx.verticleFactories().stream().filter(factory -> factory.prefix().equals(lookup))
      .min(Comparator.comparingInt(VerticleFactory::order)).orElse(null);
    if (registered != null) {
      Promise<Callable<? extends Deployable>> made = Promise.promise();
      registered.createVerticle2(name, loader, made);
      return made.future();
    }
    // A source file is found on its class loader, whose path has the file's folder: the factory gets its bare name.
    String javaName = entry.file() != null ? Path.of(entry.file()).getFileName().toString() : name;
    return vertx.executeBlocking(() -> {
      Promise<Callable<? extends Deployable>> made = Promise.promise();
      JavaVerticles.factory().createVerticle2(javaName, loader, made);
      if (made.future().failed()) {
        throw made.future().cause() instanceof Exception e ? e : new IllegalStateException(made.future().cause());
      }
      return made.future().result();
    });
  }

  /** The jars of {@code verticleJars}, and for a {@code .java} file its folder, over the node's own classes. */
  private URLClassLoader classLoader(VerticleEntry entry) throws IOException {
    List<URL> path = new ArrayList<>();
    Path folder = Path.of(jarFolder);
    if (Files.isDirectory(folder)) {
      try (Stream<Path> files = Files.list(folder)) {
        for (Path jar : files.filter(file -> file.toString().endsWith(".jar")).sorted().toList()) {
          path.add(jar.toUri().toURL());
        }
      }
    }
    if (entry.file() != null && entry.file().endsWith(".java")) {
      path.add(Path.of(entry.file()).toAbsolutePath().getParent().toUri().toURL());
    }
    return new URLClassLoader("verticle " + entry.name(), path.toArray(URL[]::new), UserVerticles.class.getClassLoader());
  }

  private void undeploy(Running record) {
    record.release.tryComplete();
    vertx.undeploy(record.deploymentId)
      .onComplete(done -> record.closeLoader())
      .onFailure(failure -> log.warn("Undeploying user verticle {} failed: {}", record.entry().name(), failure.getMessage()));
  }

  /** A running user verticle threw: logged the first time, counted every time. */
  private void failed(Running record, Throwable failure) {
    if (running.get(record.entry().name()) != record) {
      return;
    }
    record.errors++;
    if (record.error == null) {
      record.error = String.valueOf(failure);
      log.error("User verticle {} failed, logged once (it stays deployed, counted as failed in /stats): {}",
        record.entry().name(), failure, failure);
      publish();
    } else if (!publishPending) {
      publishPending = true;
      vertx.setTimer(1000, id -> publish());
    }
  }

  private void publish() {
    publishPending = false;
    JsonArray table = new JsonArray();
    for (Running record : running.values()) {
      JsonObject row = new JsonObject()
        .put(Events.NAME, record.entry().name())
        .put(Events.INSTANCES, record.entry().instances())
        .put(Events.STATE, record.error == null ? Events.RUNNING : Events.FAILED)
        .put(Events.ERRORS, record.errors);
      if (record.error != null) {
        row.put(Events.ERROR, record.error);
      }
      table.add(row);
    }
    vertx.eventBus().publish(Events.VERTICLES, new JsonObject().put(Events.VERTICLES_FIELD, table));
  }

  /** The stats say the echo instances have drained: the user verticles stop, and the answer waits for them. */
  private void stopAll(Message<Object> request) {
    nodeDrained.tryComplete();
    Future.join(running.values().stream().map(record -> (Future<Void>) record.stopped.future()).toList())
      .onComplete(stopped -> context.runOnContext(v -> request.reply(null)));
  }

  /** One deployment of an entry. Its promises are completed from the instances' event loops, and read there. */
  static final class Running {

    private final VerticleEntry entry;
    private final Future<Void> nodeDrained;
    private final Promise<Void> release = Promise.promise();
    private final Promise<Void> deployed = Promise.promise();
    private final Promise<Void> stopped = Promise.promise();
    private final AtomicInteger instancesLeft;
    private String deploymentId;
    private URLClassLoader loader;
    private long errors;
    private String error;

    Running(VerticleEntry entry, Future<Void> nodeDrained) {
      this.entry = entry;
      this.nodeDrained = nodeDrained;
      this.instancesLeft = new AtomicInteger(entry.instances());
    }

    VerticleEntry entry() {
      return entry;
    }

    void deployed(String id) {
      deploymentId = id;
      deployed.complete();
    }

    /** Whether the whole deployment started; an instance of one that did not is rolled back at once. */
    boolean deployed() {
      return deployed.future().isComplete();
    }

    /** Completes when the entry is removed or redeployed, or the node has drained. */
    Future<Void> released() {
      return Future.any(release.future(), nodeDrained).mapEmpty();
    }

    void instanceStopped() {
      if (instancesLeft.decrementAndGet() == 0) {
        stopped.tryComplete();
      }
    }

    void closeLoader() {
      try {
        if (loader != null) {
          loader.close();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
