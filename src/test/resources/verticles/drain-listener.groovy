// A test verticle: counts this node's disconnected events and, as it stops, publishes the count on config.address.
// Variables without def live in the script's binding, where vertxStop() finds them.
config = vertx.getOrCreateContext().config()
disconnected = 0
vertx.eventBus().localConsumer("echo.connections") { message ->
  if (message.body().getString("event") == "disconnected") {
    disconnected++
  }
}

void vertxStop() {
  vertx.eventBus().publish(config.getString("address"), disconnected)
}
