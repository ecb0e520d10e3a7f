package example.toptalkers

import io.vertx.core.eventbus.DeliveryOptions
import io.vertx.core.json.JsonArray
import io.vertx.core.json.JsonObject
import io.vertx.kotlin.coroutines.CoroutineVerticle
import io.vertx.kotlin.coroutines.coAwait
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch

/**
 * A user verticle in Kotlin (docs/verticles.md): every `periodSeconds` it publishes on `echo.toptalkers` the client
 * addresses with the most bytes and with the most connections over the last `windowSeconds`, the `top` of each. It
 * reads the connection events of every node (a cluster-wide consumer) and publishes node-locally, like
 * reconnect-alerts.groovy. Bytes count when a connection closes (its `disconnected` event carries them): a client
 * still connected shows its connections, and its bytes once it leaves.
 */
class TopTalkers : CoroutineVerticle() {

  private class Seen(val time: Long, val client: String, val bytes: Long)

  private val connects = ArrayDeque<Seen>()
  private val closes = ArrayDeque<Seen>()

  override suspend fun start() {
    val windowMillis = config.getInteger("windowSeconds", 60) * 1000L
    val periodMillis = config.getInteger("periodSeconds", 5) * 1000L
    val top = config.getInteger("top", 5)
    vertx.eventBus().consumer<JsonObject>("echo.connections") { message -> record(message.body()) }.completion().coAwait()
    launch {
      while (true) {
        delay(periodMillis)
        publish(windowMillis, top)
      }
    }
  }

  private fun record(event: JsonObject) {
    val remote = event.getString("remote") ?: return
    val now = System.currentTimeMillis()
    when (event.getString("event")) {
      "connected" -> connects.addLast(Seen(now, hostOf(remote), 0))
      "disconnected" -> closes.addLast(Seen(now, hostOf(remote), event.getLong("bytesIn", 0L) + event.getLong("bytesOut", 0L)))
    }
  }

  private fun publish(windowMillis: Long, top: Int) {
    val now = System.currentTimeMillis()
    for (seen in listOf(connects, closes)) {
      while (seen.isNotEmpty() && seen.first().time <= now - windowMillis) {
        seen.removeFirst()
      }
    }
    val byConnections = connects.groupingBy { it.client }.eachCount().entries.sortedByDescending { it.value }.take(top)
      .map { JsonObject().put("client", it.key).put("connections", it.value) }
    val byBytes = closes.groupBy { it.client }.mapValues { entry -> entry.value.sumOf { it.bytes } }.entries
      .sortedByDescending { it.value }.take(top)
      .map { JsonObject().put("client", it.key).put("bytes", it.value) }
    vertx.eventBus().publish("echo.toptalkers", JsonObject()
      .put("windowSeconds", windowMillis / 1000)
      .put("time", now)
      .put("byBytes", JsonArray(byBytes))
      .put("byConnections", JsonArray(byConnections)), DeliveryOptions().setLocalOnly(true))
  }

  /** The host of a host:port address ([::1]:9999 for IPv6). */
  private fun hostOf(address: String): String = address.substringBeforeLast(':').removePrefix("[").removeSuffix("]")
}
