// A test verticle: answers its config() on config.address; a message to config.address + ".throw" makes a timer of
// it throw (Vert.x 5.2 drops what an event-bus handler throws; a timer's failure reaches the context).
def config = vertx.getOrCreateContext().config()
vertx.eventBus().consumer(config.getString("address")) { message -> message.reply(config) }
vertx.eventBus().consumer(config.getString("address") + ".throw") { message ->
  vertx.setTimer(1) { throw new IllegalStateException("thrown on request") }
}
