package io.vertxecho;

import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertxecho.bench.Bench;
import io.vertxecho.client.EchoClient;
import io.vertxecho.cluster.ClusterManagerFactory;
import io.vertxecho.config.ConfigException;
import io.vertxecho.config.ConfigLoader;
import io.vertxecho.config.EchoConfig;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The Vert.x launcher with this application's wiring: native transport, metrics, the Hazelcast cluster manager
 * for {@code -cluster}, the launcher's {@code -instances} sizing the echo instances (not the main verticle),
 * and one clear line, no stack trace, for a user mistake.
 */
public final class EchoApplication extends VertxApplication implements VertxApplicationHooks {

  /** Exit code for an invalid configuration or an address that cannot be bound (sysexits' EX_CONFIG). */
  public static final int EXIT_CONFIG = 78;

  private final String[] args;
  private JsonObject launcherConf = new JsonObject();
  private Integer launcherInstances;
  private volatile DeployerVerticle deployer;
  private volatile boolean deployed;

  public EchoApplication(String[] args) {
    super(args);
    this.args = args;
  }

  public static void main(String[] args) {
    if (args.length > 0 && (args[0].equals("client") || args[0].equals("bench"))) {
      String[] toolArgs = Arrays.copyOfRange(args, 1, args.length);
      System.exit(args[0].equals("client")
        ? EchoClient.run(toolArgs, System.in, System.out, System.err)
        : Bench.run(toolArgs, System.out, System.err));
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
  public JsonObject afterConfigParsed(JsonObject config) {
    launcherConf = config == null ? new JsonObject() : config;
    return config;
  }

  /** With {@code -cluster}: Hazelcast from cluster/cluster.xml plus the config's members and name (read once, early). */
  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    VertxBuilder builder = VertxApplicationHooks.super.createVertxBuilder(options);
    if (Arrays.stream(args).noneMatch(arg -> arg.toLowerCase().matches("--?c(luster)?(=true)?"))) {
      return builder;
    }
    return builder.withClusterManager(ClusterManagerFactory.create(configBeforeVertx()));
  }

  /** The echo config, read with a short-lived Vert.x because the cluster manager is needed before Vert.x starts. */
  private EchoConfig configBeforeVertx() {
    Vertx scratch = Vertx.vertx();
    try {
      return new ConfigLoader(launcherConf, null, System.getenv(), System.getProperties()).load(scratch).await();
    } catch (ConfigException e) {
      exitWithoutTrace(e.getMessage(), EXIT_CONFIG);
      throw e;
    } finally {
      scratch.close();
    }
  }

  /**
   * Defaults for the Vert.x options, which {@code -options} and {@code -Dvertx.options.*} /
   * {@code -Dvertx.metrics.options.*} still override: the native transport when present, and Micrometer
   * metrics for Prometheus, served on the HTTP port's /metrics.
   */
  @Override
  public JsonObject afterVertxOptionsParsed(JsonObject options) {
    JsonObject defaults = options == null ? new JsonObject() : options;
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

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return () -> {
      deployer = new DeployerVerticle(new ConfigLoader(launcherConf, launcherInstances, System.getenv(), System.getProperties()));
      return deployer;
    };
  }

  /**
   * On SIGTERM the echo instances drain first: Vert.x would otherwise undeploy stats and the cluster view
   * alongside them and lose the last connection events. This runs on the JVM's shutdown thread.
   */
  @Override
  public void beforeStoppingVertx(HookContext context) {
    if (deployed) {
      LoggerFactory.getLogger(EchoApplication.class).info("Stopping: draining clients{}",
        context.vertx().isClustered() ? ", then leaving the cluster" : "");
    }
    if (deployer != null && !Context.isOnEventLoopThread()) {
      deployer.shutdownInOrder().await();
    }
  }

  @Override
  public void afterVerticleDeployed(HookContext context) {
    deployed = true;
  }

  /** The lifecycle's last line, after a node that served has stopped (not after a startup that failed). */
  @Override
  public void afterVertxStopped(HookContext context) {
    if (deployed) {
      LoggerFactory.getLogger(EchoApplication.class).info("Stopped");
    }
  }

  /** {@code -instances N} sizes the echo instances; the main verticle itself is deployed once. */
  @Override
  public void beforeDeployingVerticle(HookContext context) {
    int instances = context.deploymentOptions().getInstances();
    boolean given = Arrays.stream(args).anyMatch(arg -> arg.toLowerCase().startsWith("-instances"))
      || System.getProperty("vertx.deployment.options.instances") != null;
    if (given) {
      launcherInstances = instances;
    }
    context.deploymentOptions().setInstances(1);
  }

  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && !(cause instanceof ConfigException)) {
      cause = cause.getCause();
    }
    if (cause instanceof ConfigException) {
      exitWithoutTrace(cause.getMessage(), EXIT_CONFIG);
    } else if (context.vertx() != null) {
      context.vertx().close();
    }
  }

  private static void exitWithoutTrace(String message, int code) {
    LoggerFactory.getLogger(EchoApplication.class).error(message);
    System.exit(code);
  }
}
