package io.vertxecho.verticles;

import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;

/**
 * One instance of a user verticle, as its factory made it, wrapped so that the node can order its stop and hear it
 * fail. Its context's exception handler reports what the verticle throws after it started (an uncaught failure in a
 * handler or timer); its stop waits until it is {@linkplain UserVerticles released}: at once when its entry is removed
 * or redeployed, or, when the node stops, once the echo instances have drained (so it hears every connection event of
 * the drain). An instance undeployed before its deployment completed (a failed deployment rolled back) stops at once.
 */
final class UserVerticle implements Deployable {

  private final Deployable verticle;
  private final UserVerticles.Running owner;
  private final Handler<Throwable> failures;

  UserVerticle(Deployable verticle, UserVerticles.Running owner, Handler<Throwable> failures) {
    this.verticle = verticle;
    this.owner = owner;
    this.failures = failures;
  }

  @Override
  public Future<?> deploy(Context context) throws Exception {
    context.exceptionHandler(failures);
    return verticle.deploy(context);
  }

  @Override
  public Future<?> undeploy(Context context) {
    Promise<Void> stopped = Promise.promise();
    Future<Void> released = owner.deployed() ? owner.released() : Future.succeededFuture();
    released.onComplete(go -> context.runOnContext(now -> {
      Future<?> stopping;
      try {
        stopping = verticle.undeploy(context);
      } catch (Exception e) {
        stopping = Future.failedFuture(e);
      }
      stopping.onComplete(done -> {
        owner.instanceStopped();
        stopped.handle(done.mapEmpty());
      });
    }));
    return stopped.future();
  }
}
