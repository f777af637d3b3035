#!/usr/bin/env python3
"""A real HTTP server that forwards to an OpenAI-compatible upstream but misbehaves on a
fixed schedule of POST requests: 503, 429 with Retry-After, a dropped connection, and a
502 with an HTML body. Used by RemoteTests to check Rollbook's retries.

usage: flaky_proxy.py PORT UPSTREAM_BASE_URL LOG_FILE
Each injected fault is appended to LOG_FILE as one line."""
import http.server, socketserver, sys, threading, urllib.request, urllib.error

port, upstream, log_path = int(sys.argv[1]), sys.argv[2].rstrip("/"), sys.argv[3]
# POST number (1-based) -> fault
faults = {2: "503", 3: "429", 5: "drop", 7: "502"}
count = 0
lock = threading.Lock()

def log(msg):
    with lock, open(log_path, "a") as f:
        f.write(msg + "\n")

class Handler(http.server.BaseHTTPRequestHandler):
    # One request per connection keeps the injected faults simple.
    protocol_version = "HTTP/1.0"
    def log_message(self, *a):
        pass

    def forward(self, body):
        req = urllib.request.Request(upstream + self.path.removeprefix("/v1"), data=body, method=self.command,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=300) as r:
                status, data = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, data = e.code, e.read()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.forward(None)

    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            count += 1
            n = count
        fault = faults.get(n)
        if fault:
            log(f"{n} {fault}")
        if fault == "503":
            self.reply(503, b'{"error": "overloaded"}')
        elif fault == "429":
            self.reply(429, b'{"error": "rate limited"}', {"Retry-After": "1"})
        elif fault == "502":
            self.reply(502, b"<html><body>Bad gateway</body></html>", {"Content-Type": "text/html"})
        elif fault == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
        else:
            self.forward(body)

    def reply(self, status, data, headers=None):
        self.send_response(status)
        h = {"Content-Type": "application/json", **(headers or {})}
        for k, v in h.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

Server(("127.0.0.1", port), Handler).serve_forever()
