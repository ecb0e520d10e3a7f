package io.vertxecho.internal;

import io.vertx.core.impl.verticle.JavaVerticleFactory;
import io.vertx.core.spi.VerticleFactory;

/**
 * Vert.x's own factory for verticles named by class or by a {@code .java} source file (compiled at deploy). Vert.x
 * uses it when no registered factory matches a name's prefix or suffix, but does not list it in
 * {@code Vertx.verticleFactories()}, and the user verticles are created through the factories directly so that each
 * instance can be wrapped (see {@code io.vertxecho.verticles.UserVerticle}). Waits for: a public default factory, or a
 * deployment by name that lets the deployer order its stop.
 */
public final class JavaVerticles {

  private JavaVerticles() {
  }

  /** A new instance of Vert.x's default (Java) verticle factory; it keeps no state. */
  public static VerticleFactory factory() {
    return new JavaVerticleFactory();
  }
}
