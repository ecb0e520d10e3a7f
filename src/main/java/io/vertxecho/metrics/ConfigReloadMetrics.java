package io.vertxecho.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * {@code echo_config_reloads_total{result="applied"|"refused"}}: config file changes the running node applied, and
 * changes it refused (did not parse or validate). A no-op when metrics are off.
 */
public final class ConfigReloadMetrics {

  private final Counter applied;
  private final Counter refused;

  private ConfigReloadMetrics(MeterRegistry registry) {
    applied = registry == null ? null : counter(registry, "applied");
    refused = registry == null ? null : counter(registry, "refused");
  }

  public static ConfigReloadMetrics register(Vertx vertx) {
    return new ConfigReloadMetrics(registryOf(vertx));
  }

  /** The process's Micrometer registry (the launcher's metrics options use the default one), or null when metrics are off. */
  static MeterRegistry registryOf(Vertx vertx) {
    return vertx.isMetricsEnabled() ? BackendRegistries.getDefaultNow() : null;
  }

  public void applied() {
    if (applied != null) {
      applied.increment();
    }
  }

  public void refused() {
    if (refused != null) {
      refused.increment();
    }
  }

  private static Counter counter(MeterRegistry registry, String result) {
    return Counter.builder("echo.config.reloads")
      .description("Config file changes applied by the running node, and changes refused")
      .tag("result", result)
      .register(registry);
  }
}
