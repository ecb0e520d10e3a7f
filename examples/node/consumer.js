#!/usr/bin/env node
// Follows a vertx-echo cluster through the event-bus bridge: node summaries (echo.nodes) and connection
// events (echo.connections), one JSON line per message on stdout. Speaks the bridge's raw WebSocket
// (/eventbus/websocket) with the `ws` package.
//
//   npm ci && node consumer.js                                   # ws://127.0.0.1:8080/eventbus/websocket
//   node consumer.js --url ws://node1:8080/eventbus/websocket --stats --count 10
'use strict';

const WebSocket = require('ws');

// Connection events first: the bridge handles a socket's frames in order, so the first node summary shows that both
// registrations are in place (a connection made after it is never missed).
const ADDRESSES = ['echo.connections', 'echo.nodes'];
const PING_MILLIS = 5000; // the bridge closes a socket that has not pinged for 10 s

function options(argv) {
  const parsed = { url: 'ws://127.0.0.1:8080/eventbus/websocket', count: 0, stats: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--url') parsed.url = argv[++i];
    else if (argv[i] === '--count') parsed.count = Number(argv[++i]);
    else if (argv[i] === '--stats') parsed.stats = true;
    else {
      console.error('usage: consumer.js [--url ws://host:port/eventbus/websocket] [--count N] [--stats]');
      process.exit(2);
    }
  }
  return parsed;
}

const args = options(process.argv.slice(2));
const socket = new WebSocket(args.url);
let seen = 0;
let pinger;

socket.on('open', () => {
  ADDRESSES.forEach(address => socket.send(JSON.stringify({ type: 'register', address })));
  if (args.stats) {
    socket.send(JSON.stringify({ type: 'send', address: 'echo.stats', body: {}, replyAddress: 'node-stats' }));
  }
  pinger = setInterval(() => socket.send(JSON.stringify({ type: 'ping' })), PING_MILLIS);
});

socket.on('message', data => {
  const frame = JSON.parse(data.toString());
  if (frame.type === 'err') {
    console.error(JSON.stringify({ error: frame }));
    return;
  }
  const address = frame.address === 'node-stats' ? 'echo.stats' : frame.address;
  process.stdout.write(JSON.stringify({ address, body: frame.body }) + '\n');
  if (args.count > 0 && ++seen >= args.count) {
    socket.close();
  }
});

socket.on('close', () => clearInterval(pinger));
socket.on('error', error => {
  console.error('consumer: ' + error.message);
  process.exitCode = 1;
});
