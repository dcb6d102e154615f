#!/usr/bin/python3
"""lectern — an OpenAI chat-completions stand-in on loopback, for the tests.

Answers POST /v1/chat/completions like the real API: Bearer auth, a whole
answer ({"choices": [{"message": ...}], "usage": ...}) or, with
"stream": true, server-sent events ("data: {chunk}" ... "data: [DONE]")
with a pause between chunks.  Tests steer it through /__control/:
the mode (ok, stall, error, junk, huge, drop), the reply, the pause, and
read back the requests it received and how far the current stream got.

Usage: openai-standin.py PORT API_KEY
Prints "ready" on stdout once it accepts connections; stops on SIGTERM.
"""
import json
import secrets
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, API_KEY = int(sys.argv[1]), sys.argv[2]
LOCK = threading.Lock()
# What an error answer says: the tests check it never reaches a client
# or a log.
ERROR_TEXT = "provider-internal-detail: quota shard 7f3a overloaded"
DEFAULTS = {"mode": "ok", "reply": "What do you think happens first?",
            "chunks": None, "pause": 0.0, "stall": 30.0, "drop_after": 2,
            "prompt_tokens": 42, "completion_tokens": 7}
STATE = {"config": dict(DEFAULTS), "requests": [],
         "stream": {"sent": 0, "total": 0, "finished": False}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the tests read /__control
        pass

    def send_json(self, status, obj, raw=None):
        body = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def control(self, method):
        path = self.path[len("/__control"):]
        raw = self.read_body() if method == "POST" else b""
        data = json.loads(raw or b"{}")
        with LOCK:
            if path == "/mode" and method == "POST":
                STATE["config"] = dict(DEFAULTS)
                STATE["config"].update(data)
                return self.send_json(200, STATE["config"])
            if path == "/requests":
                return self.send_json(200, {"items": STATE["requests"]})
            if path == "/stream":
                return self.send_json(200, STATE["stream"])
            if path == "/reset" and method == "POST":
                STATE.update(config=dict(DEFAULTS), requests=[])
                return self.send_json(200, {})
        self.send_json(404, {"error": {"message": "no such control"}})

    def chunk(self, obj):
        self.wfile.write(b"data: " + json.dumps(obj).encode() + b"\n\n")
        self.wfile.flush()

    def stream(self, cfg, cid):
        reply = cfg["reply"]
        pieces = cfg["chunks"] or [w + " " for w in reply.split(" ")[:-1]] + \
            [reply.split(" ")[-1]]
        if cfg["mode"] == "huge":
            pieces = ["x" * 8192] * 40
        with LOCK:
            STATE["stream"] = {"sent": 0, "total": len(pieces),
                               "finished": False}
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        base = {"id": cid, "object": "chat.completion.chunk",
                "created": int(time.time()), "model": "standin-model"}
        try:
            if cfg["mode"] == "junk":
                self.wfile.write(b"data: {\"choices\": [ not json\n\n")
                self.wfile.flush()
                return
            self.chunk(dict(base, choices=[{"index": 0, "delta": {
                "role": "assistant", "content": ""}, "finish_reason": None}]))
            for i, p in enumerate(pieces):
                if i > 0 and cfg["pause"]:
                    time.sleep(cfg["pause"])
                if cfg["mode"] == "drop" and i == cfg["drop_after"]:
                    # The provider goes away mid-reply.
                    self.connection.shutdown(2)
                    return
                self.chunk(dict(base, choices=[{"index": 0, "delta": {
                    "content": p}, "finish_reason": None}]))
                with LOCK:
                    STATE["stream"]["sent"] = i + 1
            self.chunk(dict(base, choices=[{"index": 0, "delta": {},
                                            "finish_reason": "stop"}]))
            self.chunk(dict(base, choices=[], usage={
                "prompt_tokens": cfg["prompt_tokens"],
                "completion_tokens": cfg["completion_tokens"],
                "total_tokens": cfg["prompt_tokens"] + cfg["completion_tokens"]}))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except OSError:
            pass  # the caller went away
        finally:
            with LOCK:
                STATE["stream"]["finished"] = True

    def completions(self):
        raw = self.read_body()
        auth = self.headers.get("Authorization", "")
        try:
            req = json.loads(raw)
        except ValueError:
            req = None
        with LOCK:
            cfg = dict(STATE["config"])
            STATE["requests"].append({
                "path": self.path,
                "auth_ok": secrets.compare_digest(auth, "Bearer " + API_KEY),
                "content_type": self.headers.get("Content-Type"),
                "accept": self.headers.get("Accept"),
                "body": req, "at": time.time()})
        mode = cfg["mode"]
        if mode == "stall":
            time.sleep(cfg["stall"])
        if not secrets.compare_digest(auth, "Bearer " + API_KEY):
            return self.send_json(401, {"error": {
                "message": "Incorrect API key provided", "type":
                "invalid_request_error", "code": "invalid_api_key"}})
        if mode == "error":
            return self.send_json(500, {"error": {
                "message": ERROR_TEXT, "type": "server_error"}})
        if not isinstance(req, dict) or not isinstance(req.get("messages"), list):
            return self.send_json(400, {"error": {"message": "bad request"}})
        cid = "chatcmpl-" + secrets.token_hex(6)
        if req.get("stream"):
            return self.stream(cfg, cid)
        if mode == "junk":
            return self.send_json(200, None, raw=b"<html>upstream junk</html>")
        reply = cfg["reply"] if mode != "huge" else "x" * (300 * 1024)
        self.send_json(200, {
            "id": cid, "object": "chat.completion",
            "created": int(time.time()), "model": "standin-model",
            "choices": [{"index": 0, "message": {"role": "assistant",
                         "content": reply}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": cfg["prompt_tokens"],
                      "completion_tokens": cfg["completion_tokens"],
                      "total_tokens": cfg["prompt_tokens"] +
                      cfg["completion_tokens"]}})

    def do_GET(self):
        if self.path.startswith("/__control"):
            return self.control("GET")
        self.send_json(404, {"error": {"message": "not found"}})

    def do_POST(self):
        if self.path.startswith("/__control"):
            return self.control("POST")
        if self.path == "/v1/chat/completions":
            return self.completions()
        self.send_json(404, {"error": {"message": "not found"}})


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.daemon_threads = True
signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
print("ready", flush=True)
server.serve_forever()
