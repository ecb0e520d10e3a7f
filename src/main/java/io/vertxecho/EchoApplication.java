package io.vertxecho;

import ch.qos.logback.classic.LoggerContext;
import io.vertx.core.Deployable;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertxecho.bench.Bench;
import io.vertxecho.client.EchoClient;
import io.vertxecho.cluster.ClusterMember;
import io.vertxecho.cluster.ClusterSecurity;
import io.vertxecho.config.ConfigException;
import io.vertxecho.config.ConfigLoader;
import io.vertxecho.config.EchoConfig;
import io.vertxecho.config.LauncherOptions;
import io.vertxecho.echo.EchoVerticle;
import io.vertxecho.echo.FileDescriptorBudget;
import io.vertxecho.events.Events;
import io.vertxecho.internal.ServerTransport;
import io.vertxecho.internal.StartupSignals;
import io.vertxecho.metrics.QuietMetrics;
import io.vertxecho.text.Plural;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The Vert.x launcher with this application's wiring: the command line checked first ({@link NodeCommandLine}), the
 * config read once before Vert.x starts, the cluster member started from it when the launcher's {@code -cluster} asks
 * for a cluster, native transport, metrics, the launcher's {@code -instances} sizing the echo instances (not the main
 * verticle), and one clear line, no stack trace, for a user mistake.
 */
public final class EchoApplication extends VertxApplication implements VertxApplicationHooks {

  /** Exit code for an invalid configuration or an address that cannot be bound (sysexits' EX_CONFIG). */
  public static final int EXIT_CONFIG = 78;
  /** Exit code for a startup that failed for another reason (the launcher's own code for a failure). */
  public static final int EXIT_FAILED = 1;
  /**
   * The main verticle's instance count before the launcher applies {@code -instances}: still this means none was given
   * (not 0, which a user may give, and which the config check refuses).
   */
  private static final int INSTANCES_NOT_GIVEN = Integer.MIN_VALUE;

  private final LauncherOptions launcherOptions;
  private final StartupSignals startupSignals = new StartupSignals();

  private JsonObject launcherConf = new JsonObject();
  private ConfigLoader loader;
  private JsonObject sources;
  private EchoConfig config;
  private ClusterMember clusterMember;
  private String transport;
  private volatile boolean deployed;

  /**
   * {@code args} as {@link NodeCommandLine} let them through. A JSON option that cannot be read stops startup here,
   * before the launcher warns of it; the launcher's usage is never printed (this program's is {@code --help}).
   */
  public EchoApplication(String[] args) {
    super(args, null, false, true);
    launcherOptions = orExit(() -> LauncherOptions.of(this, args).requireReadable());
  }

  public static void main(String[] args) {
    if (args.length > 0 && (args[0].equals("client") || args[0].equals("bench"))) {
      String[] toolArgs = Arrays.copyOfRange(args, 1, args.length);
      System.exit(args[0].equals("client")
        ? EchoClient.run(toolArgs, System.in, System.out, System.err)
        : Bench.run(toolArgs, System.out, System.err));
    }
    OptionalInt helpOrMistake = NodeCommandLine.check(args, System.out, System.err);
    if (helpOrMistake.isPresent()) {
      System.exit(helpOrMistake.getAsInt());
    }
    useRepositoryLogConfig();
    new EchoApplication(args).launch();
  }

  /** Running from the repository, {@code config/logback.xml} wins over the packaged default. */
  private static void useRepositoryLogConfig() {
    Path repositoryConfig = Path.of("config", "logback.xml");
    if (System.getProperty("logback.configurationFile") == null && Files.isRegularFile(repositoryConfig)) {
      System.setProperty("logback.configurationFile", repositoryConfig.toString());
    }
  }

  @Override
  public JsonObject afterConfigParsed(JsonObject conf) {
    JsonObject checked = orExit(() -> launcherOptions.conf(conf));
    launcherConf = checked == null ? new JsonObject() : checked;
    return checked;
  }

  /** Lets {@link #beforeDeployingVerticle} tell an explicit {@code -instances} from the launcher's default of 1. */
  @Override
  public JsonObject afterDeploymentOptionsParsed(JsonObject deploymentOptions) {
    JsonObject checked = orExit(() -> launcherOptions.deploymentOptions(deploymentOptions));
    JsonObject options = checked == null ? new JsonObject() : checked;
    if (!options.containsKey("instances")) {
      options.put("instances", INSTANCES_NOT_GIVEN);
    }
    return options;
  }

  /**
   * Reads and validates the config, once. With {@code -cluster}, starts this node's cluster member before Vert.x (one
   * line and exit code 78 when it cannot start), and places the clustered event bus on the member's address. Every node runs on
   * {@link ServerTransport}: the transport the config's {@code transport} picks ({@link TransportChoice}), without its redundant per-connection socket options, and
   * with the PROXY header deadline and a ceiling on open sockets below the open-file limit.
   */
  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    return orExit(() -> {
      loader = new ConfigLoader(launcherConf, System.getenv(), System.getProperties())
        .launcherConfFile(launcherOptions.given(LauncherOptions.CONF));
      sources = loader.read();
      config = loader.validate(sources);
      // Vert.x's metrics, without the event-bus series of the connection events or the echo ports' TCP series (the echo_* series count both)
      VertxBuilder builder = VertxApplicationHooks.super.createVertxBuilder(options)
        .withMetrics(new QuietMetrics(Set.of(Events.CONNECTIONS), Set.of(EchoVerticle.PROTOCOL)));
      if (launcherOptions.clustered()) {
        clusterMember = ClusterMember.start(config);
        clusterMember.placeEventBus(options.getEventBusOptions());
        builder.withClusterManager(clusterMember.clusterManager());
      }
      ClusterSecurity.secure(options.getEventBusOptions(), config.clusterTls());
      Transport chosen = TransportChoice.of(config, options);
      transport = chosen.name();
      return builder.withTransport(ServerTransport.around(chosen, Duration.ofSeconds(EchoVerticle.PROXY_HEADER_TIMEOUT_SECONDS),
        FileDescriptorBudget.acceptCeiling(FileDescriptorBudget.openFileLimit())));
    });
  }

  /**
   * Defaults for the Vert.x options, which {@code -options} and {@code -Dvertx.options.*} /
   * {@code -Dvertx.metrics.options.*} still override: one event loop per core (Vert.x's default of two per core
   * doubles the thread switches per connection), the native transport when present, and Micrometer metrics for
   * Prometheus, served on the HTTP port's /metrics.
   */
  @Override
  public JsonObject afterVertxOptionsParsed(JsonObject options) {
    JsonObject checked = orExit(() -> launcherOptions.vertxOptions(options));
    JsonObject defaults = checked == null ? new JsonObject() : checked;
    if (!defaults.containsKey("eventLoopPoolSize")) {
      defaults.put("eventLoopPoolSize", Runtime.getRuntime().availableProcessors());
    }
    if (!defaults.containsKey("preferNativeTransport")) {
      defaults.put("preferNativeTransport", true);
    }
    if (!defaults.containsKey("metricsOptions")) {
      defaults.put("metricsOptions", new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .toJson());
    }
    return defaults;
  }

  /** One line for the operator: which cluster, and the Hazelcast and event-bus addresses other members reach this node on. */
  @Override
  public void afterVertxStarted(HookContext context) {
    if (context.vertx().isClustered()) {
      HazelcastClusterManager clusterManager = clusterMember.clusterManager();
      LoggerFactory.getLogger(EchoApplication.class).info("Joined cluster {} as member {} ({}), event bus {}:{}",
        clusterManager.getHazelcastInstance().getConfig().getClusterName(),
        clusterManager.getHazelcastInstance().getCluster().getLocalMember().getAddress(),
        Plural.of(clusterManager.getNodes().size(), "member"),
        clusterManager.getNodeInfo().host(), clusterManager.getNodeInfo().port());
    }
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return () -> new DeployerVerticle(config, loader, clusterMember == null ? null : clusterMember.clusterManager(), transport);
  }

  /** {@code -instances N} sizes the echo instances and wins over every config source; the main verticle is deployed once. */
  @Override
  public void beforeDeployingVerticle(HookContext context) {
    int instances = context.deploymentOptions().getInstances();
    if (instances != INSTANCES_NOT_GIVEN) {
      config = orExit(() -> loader.launcherInstances(instances).validate(sources.put("instances", instances)));
    }
    context.deploymentOptions().setInstances(1);
    startupSignals.hold();
  }

  @Override
  public void afterVerticleDeployed(HookContext context) {
    deployed = true;
    startupSignals.release();
  }

  /** The lifecycle's stop line (SIGTERM, docker stop), for a node that was serving, not a startup that failed. */
  @Override
  public void beforeStoppingVertx(HookContext context) {
    if (deployed) {
      LoggerFactory.getLogger(EchoApplication.class).info("Stopping: draining clients{}",
        context.vertx().isClustered() ? ", then leaving the cluster" : "");
    }
  }

  /** {@code failure} is null when the deployment timed out (the launcher's 2 minutes). */
  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable failure) {
    Throwable cause = failure;
    while (cause != null && cause.getCause() != null && !(cause instanceof ConfigException)) {
      cause = cause.getCause();
    }
    if (cause instanceof ConfigException) {
      exit(EXIT_CONFIG, cause.getMessage(), null);
    } else if (context.vertx() != null) {
      context.vertx().close();
    }
    startupSignals.release();
  }

  /** After SIGTERM's drain: the last lines still queued in the async appender are written before the JVM ends. */
  @Override
  public void afterVertxStopped(HookContext context) {
    leaveCluster();
    if (deployed) {
      LoggerFactory.getLogger(EchoApplication.class).info("Stopped");
    }
    flushLogs();
  }

  @Override
  public void afterFailureToStopVertx(HookContext context, Throwable t) {
    leaveCluster();
    flushLogs();
  }

  /** Vert.x has closed and left the cluster's event bus: the member, which the node started, leaves last. */
  private void leaveCluster() {
    if (clusterMember != null) {
      clusterMember.leave();
    }
  }

  /**
   * Runs a startup step in a launcher hook. A user mistake ({@link ConfigException}) ends the process with its one
   * line and exit code 78; anything else with its stack trace and exit code 1. The launcher itself would exit 1
   * without a word: its command handler swallows what a hook throws.
   */
  private static <T> T orExit(Supplier<T> step) {
    try {
      return step.get();
    } catch (ConfigException e) {
      exit(EXIT_CONFIG, e.getMessage(), null);
    } catch (RuntimeException e) {
      exit(EXIT_FAILED, "Startup failed: " + e, e);
    }
    return null;
  }

  private static void exit(int code, String message, Throwable failure) {
    LoggerFactory.getLogger(EchoApplication.class).error(message, failure);
    flushLogs();
    System.exit(code);
  }

  /** logback.xml logs through an async appender: stopping logback writes what it still holds. */
  private static void flushLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
      logback.stop();
    }
  }
}
