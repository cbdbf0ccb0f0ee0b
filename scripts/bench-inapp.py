#!/usr/bin/env python3
"""In-app delivery latency: from sending an event (POST /v1/track) to receiving the message it
triggers on the person's open /v1/stream connection, against a running release server.

Usage: scripts/bench-inapp.py BASE_URL [people] [rounds]
(scripts/bench-inapp.sh starts the server and runs this.)
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

base = urllib.parse.urlparse(sys.argv[1])
people = int(sys.argv[2]) if len(sys.argv) > 2 else 20
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 25
SECRET = ("ks:", "Basic " + __import__("base64").b64encode(b"ks:").decode())
WRITE = "Basic " + __import__("base64").b64encode(b"kw:").decode()


def call(method, path, body, auth):
    connection = http.client.HTTPConnection(base.hostname, base.port, timeout=10)
    connection.request(method, path, json.dumps(body), {"Content-Type": "application/json", "Authorization": auth})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, json.loads(data or b"null")


call("PUT", "/v1/admin/channels/app", {"type": "inapp", "ttl": "1h"}, SECRET[1])
call("PUT", "/v1/admin/triggers/ping", {"when": 'event.name == "Ping"', "channel": "app",
                                         "message": {"title": "pong {{event.properties.n}}"}}, SECRET[1])

received = {}
lock = threading.Lock()
ready = threading.Barrier(people + 1)


def listen(person):
    _, minted = call("POST", "/v1/stream/tokens", {"userId": person}, SECRET[1])
    connection = http.client.HTTPConnection(base.hostname, base.port, timeout=60)
    connection.request("GET", f"/v1/stream?userId={person}&token={minted['token']}")
    response = connection.getresponse()
    response.readline()  # ": connected"
    ready.wait()
    buffer = b""
    while True:
        line = response.readline()
        if not line:
            return
        if line.startswith(b"data: "):
            event = json.loads(line[6:])
            now = time.perf_counter()
            with lock:
                received[event["message"]["title"]] = now


threads = [threading.Thread(target=listen, args=(f"bench-{i}",), daemon=True) for i in range(people)]
for thread in threads:
    thread.start()
ready.wait()
latencies = []
for round in range(rounds):
    for i in range(people):
        key = f"pong {round * people + i}"
        start = time.perf_counter()
        call("POST", "/v1/track", {"userId": f"bench-{i}", "event": "Ping", "properties": {"n": round * people + i}}, WRITE)
        deadline = start + 5
        while time.perf_counter() < deadline:
            with lock:
                if key in received:
                    latencies.append((received[key] - start) * 1000)
                    break
            time.sleep(0.0002)
latencies.sort()
def percentile(p):
    return latencies[min(len(latencies) - 1, int(len(latencies) * p))]
print(f"in-app delivery latency over {len(latencies)} messages, {people} open streams: "
      f"p50 {percentile(0.5):.1f} ms, p99 {percentile(0.99):.1f} ms, max {latencies[-1]:.1f} ms")
