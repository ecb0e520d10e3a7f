package io.vertxecho;

import io.vertx.core.Deployable;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import io.vertxecho.bench.Bench;
import io.vertxecho.client.EchoClient;
import io.vertxecho.config.ConfigException;
import io.vertxecho.config.ConfigLoader;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The Vert.x launcher with this application's wiring: native transport, the launcher's {@code -instances}
 * sizing the echo instances (not the main verticle), and one clear line, no stack trace, for a user mistake.
 */
public final class EchoApplication extends VertxApplication implements VertxApplicationHooks {

  /** Exit code for an invalid configuration (sysexits' EX_CONFIG). */
  public static final int EXIT_CONFIG = 78;
  /** Exit code when the echo or HTTP port cannot be bound (the launcher's deployment failure code). */
  public static final int EXIT_BIND = 15;

  private final String[] args;
  private JsonObject launcherConf = new JsonObject();
  private Integer launcherInstances;

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

  @Override
  public void beforeStartingVertx(HookContext context) {
    context.vertxOptions().setPreferNativeTransport(true);
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return () -> new DeployerVerticle(new ConfigLoader(launcherConf, launcherInstances, System.getenv(), System.getProperties()));
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
    while (cause.getCause() != null && !(cause instanceof ConfigException) && !(cause instanceof BindException)) {
      cause = cause.getCause();
    }
    if (cause instanceof ConfigException) {
      exitWithoutTrace(cause.getMessage(), EXIT_CONFIG);
    } else if (cause instanceof BindException) {
      exitWithoutTrace("Cannot listen: " + cause.getMessage() + " (is another server on the echo or HTTP port?)", EXIT_BIND);
    } else if (context.vertx() != null) {
      context.vertx().close();
    }
  }

  private static void exitWithoutTrace(String message, int code) {
    LoggerFactory.getLogger(EchoApplication.class).error(message);
    System.exit(code);
  }
}
