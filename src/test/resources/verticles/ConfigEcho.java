import io.vertx.core.AbstractVerticle;

/** A test verticle compiled at deploy: answers its config() on config.address. */
public class ConfigEcho extends AbstractVerticle {

  @Override
  public void start() {
    vertx.eventBus().consumer(config().getString("address"), message -> message.reply(config()));
  }
}
