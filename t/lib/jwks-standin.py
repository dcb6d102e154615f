#!/usr/bin/python3
"""lectern — a stand-in for Google's and Firebase's key sets, for the tests.

Serves GET /google/certs and GET /firebase/certs as the providers do: a
JWKS of RSA public keys (n and e, base64url) with
"Cache-Control: public, max-age=N".  Both paths publish the same keys.
Each key's private half is written to KEYDIR/<kid>.pem (and the newest
kid to KEYDIR/current) so that t/lib/idtoken-mint.py can sign tokens
with it.  Tests steer it through /__control/: rotate the keys, set the
max-age, go down (connections closed unanswered) or answer errors, and
read how often each set was fetched.

It also stands in for Firebase Auth's Identity Toolkit REST API, which
the web client calls from the browser (so with CORS): POST
/identitytoolkit/v1/accounts:signInWithPassword?key=KEY, {email,
password, returnSecureToken}, answers {idToken, localId, email, ...}
with an ID token signed RS256 by the newest key, as Firebase makes them
for project PROJECT.  The key must be API_KEY and the password
PASSWORD; otherwise Firebase's error shape (400, INVALID_PASSWORD or
API_KEY_INVALID).  The uid is derived from the email, so one person is
one Firebase user.

Usage: jwks-standin.py PORT KEYDIR [PROJECT API_KEY PASSWORD]
Prints "ready" on stdout once it accepts connections; stops on SIGTERM.
"""
import base64
import json
import os
import signal
import sys
import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PORT, KEYDIR = int(sys.argv[1]), sys.argv[2]
PROJECT, API_KEY, PASSWORD = (sys.argv[3:6] + [None, None, None])[:3]
PEMS = {}
LOCK = threading.Lock()
STATE = {"mode": "ok", "max_age": 300, "keys": [], "seq": 0,
         "fetches": {"google": 0, "firebase": 0}}


def b64u(n):
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_key():
    """A new key pair, its private half written to KEYDIR; returns kid."""
    STATE["seq"] += 1
    kid = "standin-%d-%s" % (STATE["seq"], os.urandom(4).hex())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM,
                            serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    PEMS[kid] = pem
    path = os.path.join(KEYDIR, kid + ".pem")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    pub = key.public_key().public_numbers()
    STATE["keys"].append({"kty": "RSA", "alg": "RS256", "use": "sig",
                          "kid": kid, "n": b64u(pub.n), "e": b64u(pub.e)})
    with open(os.path.join(KEYDIR, "current.tmp"), "w") as f:
        f.write(kid + "\n")
    os.replace(os.path.join(KEYDIR, "current.tmp"),
               os.path.join(KEYDIR, "current"))
    return kid


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the tests read /__control
        pass

    def send_json(self, status, obj, headers=()):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def control(self, method):
        path = self.path[len("/__control"):]
        n = int(self.headers.get("Content-Length") or 0)
        data = json.loads(self.rfile.read(n) or b"{}") if n else {}
        with LOCK:
            if path == "/rotate" and method == "POST":
                kid = new_key()
                if data.get("drop_old"):
                    STATE["keys"] = [k for k in STATE["keys"]
                                     if k["kid"] == kid]
                return self.send_json(200, {"kid": kid})
            if path == "/mode" and method == "POST":
                STATE["mode"] = data.get("mode", "ok")
                return self.send_json(200, {"mode": STATE["mode"]})
            if path == "/max_age" and method == "POST":
                STATE["max_age"] = int(data["max_age"])
                return self.send_json(200, {"max_age": STATE["max_age"]})
            if path == "/state":
                return self.send_json(200, {
                    "mode": STATE["mode"], "max_age": STATE["max_age"],
                    "kids": [k["kid"] for k in STATE["keys"]],
                    "fetches": STATE["fetches"]})
        self.send_json(404, {"error": "no such control"})

    def do_GET(self):
        if self.path.startswith("/__control"):
            return self.control("GET")
        which = {"/google/certs": "google",
                 "/firebase/certs": "firebase"}.get(self.path)
        if which is None:
            return self.send_json(404, {"error": "not found"})
        with LOCK:
            STATE["fetches"][which] += 1
            mode, max_age = STATE["mode"], STATE["max_age"]
            # An EC key as well: lectern must skip what it cannot use.
            keys = list(STATE["keys"]) + [{
                "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256",
                "kid": "standin-ec",
                "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]
        if mode == "down":
            # Close without answering: the caller sees no reply at all.
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if mode == "error":
            return self.send_json(503, {"error": "backend unavailable"})
        if mode == "redirect":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:%d%s" %
                             (PORT, self.path))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_json(200, {"keys": keys}, headers=[
            ("Cache-Control",
             "public, max-age=%d, must-revalidate, no-transform" % max_age)])

    def cors(self):
        origin = self.headers.get("Origin")
        return [("Access-Control-Allow-Origin", origin),
                ("Vary", "Origin")] if origin else []

    def do_OPTIONS(self):
        self.send_response(204)
        for k, v in self.cors() + [
                ("Access-Control-Allow-Methods", "POST"),
                ("Access-Control-Allow-Headers", "Content-Type"),
                ("Access-Control-Max-Age", "600"),
                ("Content-Length", "0")]:
            self.send_header(k, v)
        self.end_headers()

    def firebase_error(self, message):
        self.send_json(400, {"error": {"code": 400, "message": message,
                                       "errors": [{"message": message}]}},
                       headers=self.cors())

    def sign_in(self):
        """Identity Toolkit's accounts:signInWithPassword."""
        url = urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        try:
            data = json.loads(self.rfile.read(n) or b"{}")
        except ValueError:
            return self.firebase_error("INVALID_JSON")
        if PROJECT is None or \
                parse_qs(url.query).get("key") != [API_KEY]:
            return self.firebase_error("API_KEY_INVALID")
        email = str(data.get("email") or "").lower()
        if "@" not in email or data.get("password") != PASSWORD:
            return self.firebase_error("INVALID_PASSWORD")
        uid = hashlib.sha256(email.encode()).hexdigest()[:28]
        now = int(time.time())
        with LOCK:
            kid = STATE["keys"][-1]["kid"]
            pem = PEMS[kid]
        claims = {"iss": "https://securetoken.google.com/" + PROJECT,
                  "aud": PROJECT, "auth_time": now, "user_id": uid,
                  "sub": uid, "iat": now, "exp": now + 3600,
                  "email": email, "email_verified": True,
                  "firebase": {"identities": {"email": [email]},
                               "sign_in_provider": "password"}}
        tok = jwt.encode(claims, pem, algorithm="RS256",
                         headers={"kid": kid})
        self.send_json(200, {
            "kind": "identitytoolkit#VerifyPasswordResponse",
            "localId": uid, "email": email, "displayName": "",
            "idToken": tok, "registered": True,
            "refreshToken": "standin-refresh", "expiresIn": "3600"},
            headers=self.cors())

    def do_POST(self):
        if self.path.startswith("/__control"):
            return self.control("POST")
        if urlsplit(self.path).path == \
                "/identitytoolkit/v1/accounts:signInWithPassword":
            return self.sign_in()
        self.send_json(405, {"error": "method not allowed"})


with LOCK:
    new_key()
server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.daemon_threads = True
signal.signal(signal.SIGTERM,
              lambda *a: threading.Thread(target=server.shutdown).start())
print("ready", flush=True)
server.serve_forever()
