// A user verticle (docs/verticles.md): publishes an alert on echo.alerts when one client address connects more than
// maxConnects times within windowSeconds (both from its config). It counts the connections of every node of the
// cluster (its consumer of echo.connections is cluster-wide) and publishes node-locally, so each node's bridge clients
// and dashboard hear each alert once; one alert per address per window.
//   "verticles": [{"name": "conf/verticles/reconnect-alerts.groovy", "config": {"maxConnects": 100, "windowSeconds": 60}}]
import io.vertx.core.eventbus.DeliveryOptions
import io.vertx.core.json.JsonObject

def config = vertx.getOrCreateContext().config()
int maxConnects = config.getInteger("maxConnects", 100)
int windowSeconds = config.getInteger("windowSeconds", 60)
long windowMillis = windowSeconds * 1000L
Map<String, ArrayDeque<Long>> connects = [:]
Map<String, Long> alerted = [:]
def nodeLocal = new DeliveryOptions().setLocalOnly(true)

vertx.eventBus().<JsonObject>consumer("echo.connections") { message ->
  JsonObject event = message.body()
  if (event.getString("event") != "connected") {
    return
  }
  String client = hostOf(event.getString("remote"))
  long now = System.currentTimeMillis()
  ArrayDeque<Long> times = connects.computeIfAbsent(client) { new ArrayDeque<Long>() }
  times.addLast(now)
  while (times.peekFirst() <= now - windowMillis) {
    times.pollFirst()
  }
  if (times.size() > maxConnects && (alerted[client] ?: 0L) <= now - windowMillis) {
    alerted[client] = now
    vertx.eventBus().publish("echo.alerts", new JsonObject()
      .put("alert", "reconnects")
      .put("client", client)
      .put("connects", times.size())
      .put("maxConnects", maxConnects)
      .put("windowSeconds", windowSeconds)
      .put("time", now), nodeLocal)
  }
}

// Forget the addresses that went quiet, once a window.
vertx.setPeriodic(windowMillis) {
  long before = System.currentTimeMillis() - windowMillis
  connects.values().each { times -> while (!times.isEmpty() && times.peekFirst() <= before) { times.pollFirst() } }
  connects.values().removeIf { it.isEmpty() }
  alerted.values().removeIf { it <= before }
}

/** The host of a host:port address ([::1]:9999 for IPv6). */
static String hostOf(String address) {
  String host = address.substring(0, address.lastIndexOf(':'))
  return host.startsWith("[") ? host.substring(1, host.length() - 1) : host
}
