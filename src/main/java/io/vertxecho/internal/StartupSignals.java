package io.vertxecho.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * SIGTERM or SIGINT while the main verticle deploys waits until the node has started, then stops it the usual way.
 * <p>
 * The launcher stops the node from a JVM shutdown hook with {@code vertx.close()}. Arriving while the main verticle
 * is still deploying, that close fails the deployment under way: Vert.x logs an {@code IllegalStateException}
 * ("Promise already completed") for each verticle still starting, the launcher logs "Failed in deploying verticle",
 * and echo instances already listening stop without their drain. So while the node starts, these signals are held:
 * the first one is logged and kept, the JVM's own handlers come back once the deployment has succeeded or failed
 * (the launcher gives it at most 2 minutes), and the kept signal is raised again, now taking the SIGTERM path that
 * drains. A second signal while waiting stops the process at once, as it would have without this class.
 * <p>
 * {@code sun.misc.Signal} (module {@code jdk.unsupported}) is the JDK's only API for this: a shutdown hook (the public
 * way) runs only once the JVM is already stopping, when a second signal can no longer stop it at once. It is called
 * through reflection because javac warns on every direct use of it ("internal proprietary API"), and neither
 * {@code @SuppressWarnings} nor a compiler flag silences that warning. Where it cannot be used (a JVM started with
 * {@code -Xrs}, a platform without the signal) the JVM's default stays in place.
 * Waits for: a public JDK API to handle a signal (none is planned; {@code jdk.internal.misc.Signal} is not exported).
 */
public final class StartupSignals {

  private static final Logger log = LoggerFactory.getLogger(StartupSignals.class);

  /** Each signal held (a {@code sun.misc.Signal}) and the JVM's handler of it, restored by {@link #release}. */
  private final Map<Object, Object> jvmHandlers = new LinkedHashMap<>();
  private Object pending;
  private boolean released;

  /** From now until {@link #release}, SIGTERM and SIGINT wait for the node to start. */
  public synchronized void hold() {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Object signal = Api.SIGNAL.getConstructor(String.class).newInstance(name);
        jvmHandlers.put(signal, Api.HANDLE.invoke(null, signal, Api.handler(this::received)));
      } catch (ReflectiveOperationException | RuntimeException e) {
        log.debug("SIG{} keeps the JVM's handler: {}", name, e.toString());
      }
    }
  }

  /** Restores the JVM's handlers and raises a signal that arrived meanwhile, which now stops the node. */
  public synchronized void release() {
    if (released) {
      return;
    }
    released = true;
    jvmHandlers.forEach((signal, handler) -> Api.call(Api.HANDLE, null, signal, handler));
    if (pending != null) {
      Api.call(Api.RAISE, null, pending);
    }
  }

  /** Runs on the JVM's signal thread. */
  private void received(Object signal) {
    synchronized (this) {
      if (pending == null && !released) {
        pending = signal;
        log.info("SIG{} during startup: the node stops once it has started", Api.call(Api.NAME, signal));
        return;
      }
    }
    Api.call(Api.HANDLER_HANDLE, jvmHandlers.get(signal), signal);
  }

  /** {@code sun.misc.Signal} and {@code sun.misc.SignalHandler}, looked up once; null where the JDK lacks them. */
  private static final class Api {

    static final Class<?> SIGNAL = type("sun.misc.Signal");
    static final Class<?> HANDLER = type("sun.misc.SignalHandler");
    /** {@code static SignalHandler Signal.handle(Signal, SignalHandler)}: installs a handler, returns the one before. */
    static final Method HANDLE = method(SIGNAL, "handle", SIGNAL, HANDLER);
    static final Method RAISE = method(SIGNAL, "raise", SIGNAL);
    static final Method NAME = method(SIGNAL, "getName");
    static final Method HANDLER_HANDLE = method(HANDLER, "handle", SIGNAL);

    /** A {@code SignalHandler} that passes each signal to {@code target}. */
    static Object handler(Consumer<Object> target) {
      return Proxy.newProxyInstance(HANDLER.getClassLoader(), new Class<?>[] {HANDLER}, (proxy, method, args) ->
        switch (method.getName()) {
          case "handle" -> {
            target.accept(args[0]);
            yield null;
          }
          case "equals" -> proxy == args[0];
          case "hashCode" -> System.identityHashCode(proxy);
          default -> "startup signal handler";
        });
    }

    static Object call(Method method, Object target, Object... args) {
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }

    private static Class<?> type(String name) {
      try {
        return Class.forName(name);
      } catch (ClassNotFoundException e) {
        return null;
      }
    }

    private static Method method(Class<?> type, String name, Class<?>... parameters) {
      try {
        return type == null ? null : type.getMethod(name, parameters);
      } catch (NoSuchMethodException e) {
        return null;
      }
    }
  }
}
