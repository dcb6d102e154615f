#!/usr/bin/python3
"""lectern — a Razorpay stand-in on loopback, for the tests.

Answers the parts of Razorpay's REST API lectern calls (POST /v1/orders,
GET /v1/orders/{id}/payments) like the real one: basic auth with the key
id and secret, amounts in paise, its error shape.  Tests steer it through
/__control/ endpoints: the mode (ok, error, slow, down), the payments an
order has (for reconciliation), and the requests it has seen.

GET /checkout.js stands in for Checkout's script (checkout.razorpay.com):
the web client's tests load it in place of the real one
(LECTERN_RAZORPAY_CHECKOUT_URL).  Its Razorpay(options).open() "pays" at
once and calls options.handler with an answer signed as Razorpay signs
it, HMAC-SHA256(order_id + "|" + payment_id) under the key secret, which
is why this script holds the (test) secret.

Usage: razorpay-standin.py PORT KEY_ID KEY_SECRET
Prints "ready" on stdout once it accepts connections; stops on SIGTERM.
"""
import base64
import json
import secrets
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, KEY_ID, KEY_SECRET = int(sys.argv[1]), sys.argv[2], sys.argv[3]
LOCK = threading.Lock()
STATE = {"mode": "ok", "requests": [], "orders": {}, "payments": {}}


def error_body(code, description):
    return {"error": {"code": code, "description": description,
                      "source": "NA", "step": "NA", "reason": "NA"}}


CHECKOUT_JS = """// Razorpay Checkout stand-in (t/lib/razorpay-standin.py): test only.
(function () {
  var SECRET = %s;
  function hex(buf) {
    return Array.from(new Uint8Array(buf), function (b) {
      return b.toString(16).padStart(2, "0"); }).join("");
  }
  function Razorpay(options) { this.options = options; this.handlers = {}; }
  Razorpay.prototype.on = function (ev, fn) { this.handlers[ev] = fn; };
  Razorpay.prototype.open = function () {
    var o = this.options, enc = new TextEncoder();
    var pid = "pay_" + hex(crypto.getRandomValues(new Uint8Array(7)));
    window.__checkoutOpened = { key: o.key, order_id: o.order_id,
      amount: o.amount, currency: o.currency };
    crypto.subtle.importKey("raw", enc.encode(SECRET),
      { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then(function (k) {
        return crypto.subtle.sign("HMAC", k, enc.encode(o.order_id + "|" + pid));
      })
      .then(function (sig) {
        setTimeout(function () {
          o.handler({ razorpay_order_id: o.order_id,
            razorpay_payment_id: pid, razorpay_signature: hex(sig) });
        }, 50);
      });
  };
  window.Razorpay = Razorpay;
})();
"""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the tests read /__control
        pass

    def send_json(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def auth_ok(self):
        h = self.headers.get("Authorization", "")
        if not h.startswith("Basic "):
            return False
        try:
            user, _, pw = base64.b64decode(h[6:]).decode().partition(":")
        except Exception:
            return False
        return secrets.compare_digest(user, KEY_ID) and \
            secrets.compare_digest(pw, KEY_SECRET)

    def control(self, method):
        path = self.path[len("/__control"):]
        raw = self.read_body() if method == "POST" else b""
        data = json.loads(raw or b"{}")
        with LOCK:
            if path == "/mode" and method == "POST":
                STATE["mode"] = data.get("mode", "ok")
                return self.send_json(200, {"mode": STATE["mode"]})
            if path == "/requests":
                return self.send_json(200, {"items": STATE["requests"]})
            if path == "/reset" and method == "POST":
                STATE.update(mode="ok", requests=[])
                return self.send_json(200, {})
            if path == "/payments" and method == "POST":
                STATE["payments"][data["order_id"]] = data["items"]
                return self.send_json(200, {})
        self.send_json(404, error_body("NOT_FOUND", "no such control"))

    def api(self, method):
        raw = self.read_body() if method == "POST" else b""
        with LOCK:
            mode = STATE["mode"]
            STATE["requests"].append({
                "method": method, "path": self.path,
                "auth_ok": self.auth_ok(),
                "content_type": self.headers.get("Content-Type"),
                "body": raw.decode(errors="replace")})
        if mode == "down":
            # Close without answering: the caller sees no reply at all.
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if mode == "slow":
            time.sleep(15)
        if mode == "error":
            return self.send_json(500, error_body("SERVER_ERROR",
                                                  "The server encountered an error."))
        if not self.auth_ok():
            return self.send_json(401, error_body("BAD_REQUEST_ERROR",
                                                  "Authentication failed"))
        if method == "POST" and self.path == "/v1/orders":
            try:
                req = json.loads(raw)
                amount, currency = req["amount"], req["currency"]
                receipt = req.get("receipt", "")
                assert isinstance(amount, int) and amount >= 100
                assert currency == "INR" and len(receipt) <= 40
            except Exception:
                return self.send_json(400, error_body(
                    "BAD_REQUEST_ERROR", "The amount must be at least INR 1.00"))
            oid = "order_" + secrets.token_hex(7)
            order = {"id": oid, "entity": "order", "amount": amount,
                     "amount_paid": 0, "amount_due": amount,
                     "currency": currency, "receipt": receipt,
                     "offer_id": None, "status": "created", "attempts": 0,
                     "notes": req.get("notes", []),
                     "created_at": int(time.time())}
            with LOCK:
                STATE["orders"][oid] = order
            return self.send_json(200, order)
        parts = self.path.split("/")
        if method == "GET" and len(parts) == 5 and parts[1:3] == ["v1", "orders"] \
                and parts[4] == "payments":
            with LOCK:
                if parts[3] not in STATE["orders"] and parts[3] not in STATE["payments"]:
                    return self.send_json(400, error_body(
                        "BAD_REQUEST_ERROR", "The id provided does not exist"))
                items = STATE["payments"].get(parts[3], [])
            return self.send_json(200, {"entity": "collection",
                                        "count": len(items), "items": items})
        self.send_json(404, error_body("BAD_REQUEST_ERROR",
                                       "The requested URL was not found on the server."))

    def do_GET(self):
        if self.path.startswith("/__control"):
            return self.control("GET")
        if self.path == "/checkout.js":
            body = (CHECKOUT_JS % json.dumps(KEY_SECRET)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/javascript")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.api("GET")

    def do_POST(self):
        if self.path.startswith("/__control"):
            return self.control("POST")
        self.api("POST")


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.daemon_threads = True
signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
print("ready", flush=True)
server.serve_forever()
