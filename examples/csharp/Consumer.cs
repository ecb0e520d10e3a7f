// Follows a vertx-echo node over its TCP event-bus bridge (bridge.tcp.port): node summaries, connection events,
// alerts and top talkers, one JSON line per message on stdout, each checked against docs/events.schema.json first.
// No Vert.x library, no package: a frame is a 4-byte big-endian length, then that many bytes of JSON.
//
//   mcs -out:consumer.exe examples/csharp/Consumer.cs          (Debian: apt-get install mono-mcs mono-runtime)
//   mono consumer.exe --host 127.0.0.1 --port 7000 [--stats] [--count N] [--schema docs/events.schema.json]
//
// A message that does not match the schema is printed on stderr and ends the consumer with exit code 3.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Text;

static class Consumer {
  // Connection events first, node summaries last: the bridge handles a socket's frames in order, so the first node
  // summary shows that every registration is in place.
  static readonly string[] Addresses = { "echo.connections", "echo.alerts", "echo.toptalkers", "echo.nodes" };

  static int Main(string[] args) {
    string host = Arg(args, "--host", "127.0.0.1"), schemaPath = Arg(args, "--schema", "docs/events.schema.json");
    int port = int.Parse(Arg(args, "--port", "7000")), count = int.Parse(Arg(args, "--count", "0"));
    var schema = (Dictionary<string, object>) Json.Parse(File.ReadAllText(schemaPath));
    var definitions = (Dictionary<string, object>) schema["x-bridge-addresses"];
    try {
      using (var client = new TcpClient(host, port)) {
        var stream = client.GetStream();
        foreach (var address in Addresses) {
          Send(stream, "{\"type\":\"register\",\"address\":\"" + address + "\"}");
        }
        if (args.Contains("--stats")) {
          Send(stream, "{\"type\":\"send\",\"address\":\"echo.stats\",\"body\":{},\"replyAddress\":\"csharp-stats\"}");
        }
        for (int seen = 0; count == 0 || seen < count; ) {
          string text = Receive(stream);
          var frame = (Dictionary<string, object>) Json.Parse(text);
          if (!"message".Equals(frame["type"])) {
            Console.Error.WriteLine("{\"error\": " + text + "}");
            continue;
          }
          string address = "csharp-stats".Equals(frame["address"]) ? "echo.stats" : (string) frame["address"];
          object body = frame.ContainsKey("body") ? frame["body"] : null;
          var wrong = new List<string>();
          Schema.Check(new Dictionary<string, object> { { "$ref", "#/$defs/" + definitions[address] } }, body, schema, "$", wrong);
          if (wrong.Count > 0) {
            Console.Error.WriteLine("consumer: a message on " + address + " does not match " + schemaPath + ": "
              + string.Join("; ", wrong) + ": " + Json.Write(body));
            return 3;
          }
          Console.WriteLine("{\"address\": " + Json.Write(address) + ", \"body\": " + Json.Write(body) + "}");
          Console.Out.Flush();
          seen++;
        }
      }
    } catch (Exception e) when (e is IOException || e is SocketException) {
      Console.Error.WriteLine("consumer: " + e.Message);
      return 1;
    }
    return 0;
  }

  static string Arg(string[] args, string name, string otherwise) {
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : otherwise;
  }

  static void Send(NetworkStream stream, string json) {
    byte[] payload = Encoding.UTF8.GetBytes(json);
    byte[] length = BitConverter.GetBytes(payload.Length);
    if (BitConverter.IsLittleEndian) Array.Reverse(length);
    stream.Write(length, 0, 4);
    stream.Write(payload, 0, payload.Length);
  }

  static string Receive(NetworkStream stream) {
    byte[] length = ReadFully(stream, 4);
    if (BitConverter.IsLittleEndian) Array.Reverse(length);
    return Encoding.UTF8.GetString(ReadFully(stream, BitConverter.ToInt32(length, 0)));
  }

  static byte[] ReadFully(NetworkStream stream, int n) {
    var data = new byte[n];
    for (int read = 0; read < n; ) {
      int got = stream.Read(data, read, n - read);
      if (got == 0) throw new IOException("the bridge closed the connection");
      read += got;
    }
    return data;
  }
}

// The keywords docs/events.schema.json uses, of JSON Schema 2020-12.
static class Schema {
  public static void Check(Dictionary<string, object> s, object value, Dictionary<string, object> root, string where, List<string> wrong) {
    if (s.ContainsKey("$ref")) {
      string name = ((string) s["$ref"]).Split('/').Last();
      Check((Dictionary<string, object>) ((Dictionary<string, object>) root["$defs"])[name], value, root, where, wrong);
    }
    if (s.ContainsKey("oneOf")) {
      int matching = ((List<object>) s["oneOf"]).Count(option => {
        var none = new List<string>();
        Check((Dictionary<string, object>) option, value, root, where, none);
        return none.Count == 0;
      });
      if (matching != 1) wrong.Add(where + ": matches " + matching + " of oneOf, not exactly 1");
    }
    if (s.ContainsKey("type") && !IsType((string) s["type"], value)) {
      wrong.Add(where + ": not of type " + s["type"]);
      return;
    }
    if (s.ContainsKey("const") && !Json.Write(s["const"]).Equals(Json.Write(value))) wrong.Add(where + ": not " + Json.Write(s["const"]));
    if (s.ContainsKey("enum") && !((List<object>) s["enum"]).Any(option => Json.Write(option).Equals(Json.Write(value)))) {
      wrong.Add(where + ": not one of " + Json.Write(s["enum"]));
    }
    if (s.ContainsKey("minLength") && value is string && ((string) value).Length < Convert.ToDouble(s["minLength"])) wrong.Add(where + ": too short");
    if (s.ContainsKey("minimum") && value is double && (double) value < Convert.ToDouble(s["minimum"])) wrong.Add(where + ": below " + s["minimum"]);
    var list = value as List<object>;
    if (list != null && s.ContainsKey("items")) {
      for (int i = 0; i < list.Count; i++) Check((Dictionary<string, object>) s["items"], list[i], root, where + "[" + i + "]", wrong);
    }
    var obj = value as Dictionary<string, object>;
    if (obj == null) return;
    if (s.ContainsKey("required")) {
      foreach (string name in (List<object>) s["required"]) if (!obj.ContainsKey(name)) wrong.Add(where + ": no " + name);
    }
    if (s.ContainsKey("minProperties") && obj.Count < Convert.ToDouble(s["minProperties"])) wrong.Add(where + ": too few properties");
    var properties = s.ContainsKey("properties") ? (Dictionary<string, object>) s["properties"] : new Dictionary<string, object>();
    foreach (var entry in obj) {
      if (s.ContainsKey("propertyNames")) Check((Dictionary<string, object>) s["propertyNames"], entry.Key, root, where + " name " + entry.Key, wrong);
      if (properties.ContainsKey(entry.Key)) {
        Check((Dictionary<string, object>) properties[entry.Key], entry.Value, root, where + "." + entry.Key, wrong);
      } else if (s.ContainsKey("additionalProperties") && s["additionalProperties"] is Dictionary<string, object>) {
        Check((Dictionary<string, object>) s["additionalProperties"], entry.Value, root, where + "." + entry.Key, wrong);
      } else if (s.ContainsKey("additionalProperties") && false.Equals(s["additionalProperties"])) {
        wrong.Add(where + ": unexpected " + entry.Key);
      }
    }
  }

  static bool IsType(string type, object value) {
    switch (type) {
      case "object": return value is Dictionary<string, object>;
      case "array": return value is List<object>;
      case "string": return value is string;
      case "boolean": return value is bool;
      case "integer": return value is double && Math.Floor((double) value) == (double) value;
      case "number": return value is double;
      default: return value == null;
    }
  }
}

// JSON to Dictionary<string, object>, List<object>, string, double, bool and null, and back.
static class Json {
  public static object Parse(string text) {
    int at = 0;
    object value = Value(text, ref at);
    return value;
  }

  static object Value(string t, ref int i) {
    while (char.IsWhiteSpace(t[i])) i++;
    char c = t[i];
    if (c == '{') {
      var obj = new Dictionary<string, object>();
      i++;
      while (true) {
        while (char.IsWhiteSpace(t[i])) i++;
        if (t[i] == '}') { i++; return obj; }
        if (t[i] == ',') { i++; continue; }
        string key = (string) Value(t, ref i);
        while (t[i] != ':') i++;
        i++;
        obj[key] = Value(t, ref i);
      }
    }
    if (c == '[') {
      var list = new List<object>();
      i++;
      while (true) {
        while (char.IsWhiteSpace(t[i])) i++;
        if (t[i] == ']') { i++; return list; }
        if (t[i] == ',') { i++; continue; }
        list.Add(Value(t, ref i));
      }
    }
    if (c == '"') {
      var s = new StringBuilder();
      for (i++; t[i] != '"'; i++) {
        if (t[i] != '\\') { s.Append(t[i]); continue; }
        char e = t[++i];
        if (e == 'u') { s.Append((char) Convert.ToInt32(t.Substring(i + 1, 4), 16)); i += 4; }
        else s.Append(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b' : e == 'f' ? '\f' : e);
      }
      i++;
      return s.ToString();
    }
    foreach (var word in new[] { "true", "false", "null" }) {
      if (string.CompareOrdinal(t, i, word, 0, word.Length) == 0) {
        i += word.Length;
        return word == "null" ? null : (object) (word == "true");
      }
    }
    int start = i;
    while (i < t.Length && "+-0123456789.eE".IndexOf(t[i]) >= 0) i++;
    return double.Parse(t.Substring(start, i - start), CultureInfo.InvariantCulture);
  }

  public static string Write(object v) {
    if (v == null) return "null";
    if (v is bool) return (bool) v ? "true" : "false";
    if (v is double) return ((double) v).ToString("R", CultureInfo.InvariantCulture);
    var s = v as string;
    if (s != null) {
      var b = new StringBuilder("\"");
      foreach (char c in s) {
        if (c == '"' || c == '\\') b.Append('\\').Append(c);
        else if (c < ' ') b.Append("\\u").Append(((int) c).ToString("x4"));
        else b.Append(c);
      }
      return b.Append('"').ToString();
    }
    var list = v as List<object>;
    if (list != null) return "[" + string.Join(",", list.Select(Write)) + "]";
    var obj = (Dictionary<string, object>) v;
    return "{" + string.Join(",", obj.Select(e => Write(e.Key) + ":" + Write(e.Value))) + "}";
  }
}
