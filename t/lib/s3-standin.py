#!/usr/bin/python3
"""lectern — an S3 stand-in on loopback, for the tests.

Serves path-style objects (PUT, GET, HEAD, DELETE /BUCKET/KEY) held in
memory, and accepts a request only with a presigned URL (AWS Signature
Version 4, query parameters) that it verifies with an implementation
that is not ours: botocore's SigV4QueryAuth, as Debian packages it.  The
signature is recomputed from the URL's own date, expiry and scope with
the stand-in's credentials and compared in constant time; a URL past
its expiry, for another region, bucket or key, or with any byte changed
is refused with S3's 403 SignatureDoesNotMatch / AccessDenied.

GET /__control/objects lists what it holds (key, size, content type).

Usage: s3-standin.py PORT BUCKET REGION ACCESS_KEY_ID SECRET_ACCESS_KEY
Prints "ready" on stdout once it accepts connections; stops on SIGTERM.
"""
import datetime
import hmac
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

PORT, BUCKET, REGION = int(sys.argv[1]), sys.argv[2], sys.argv[3]
CREDS = Credentials(sys.argv[4], sys.argv[5])
LOCK = threading.Lock()
OBJECTS = {}
AUTH_PARAMS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
               "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature")


def verify(method, host, raw_path):
    """None when the presigned URL is good, else S3's error code."""
    parts = urlsplit(raw_path)
    q = dict(parse_qsl(parts.query, keep_blank_values=True))
    if any(k not in q for k in AUTH_PARAMS) or \
            q["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256":
        return "AccessDenied"
    try:
        when = datetime.datetime.strptime(q["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
        expires = int(q["X-Amz-Expires"])
    except ValueError:
        return "AuthorizationQueryParametersError"
    if q["X-Amz-SignedHeaders"] != "host":
        return "SignatureDoesNotMatch"
    # botocore signs the request again, as of the URL's own date.
    others = {k: v for k, v in q.items() if k not in AUTH_PARAMS}
    url = "http://%s%s" % (host, parts.path)
    if others:
        url += "?" + urlencode(others)
    req = AWSRequest(method=method, url=url)
    req.context["timestamp"] = q["X-Amz-Date"]
    auth = S3SigV4QueryAuth(CREDS, "s3", REGION, expires=expires)
    auth._modify_request_before_signing(req)
    canonical = auth.canonical_request(req)
    want = auth.signature(auth.string_to_sign(req, canonical), req)
    if q["X-Amz-Credential"] != auth.scope(req) or \
            not hmac.compare_digest(want, q["X-Amz-Signature"]):
        return "SignatureDoesNotMatch"
    now = datetime.datetime.utcnow()
    if now > when + datetime.timedelta(seconds=expires) or \
            when > now + datetime.timedelta(minutes=15):
        return "AccessDenied"
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the tests ask /__control
        pass

    def reply(self, status, body=b"", ctype="application/xml", length=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length",
                         str(len(body) if length is None else length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code):
        self.reply(status, ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                            "<Error><Code>%s</Code></Error>" % code).encode())

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(n) if n > 0 else b""
        path = urlsplit(self.path).path
        if path == "/__control/objects" and self.command == "GET":
            with LOCK:
                objs = [{"key": k, "size": len(v[0]), "content_type": v[1]}
                        for k, v in sorted(OBJECTS.items())]
            self.reply(200, json.dumps(objs).encode(), "application/json")
            return
        bad = verify(self.command, self.headers.get("Host", ""), self.path)
        if bad is not None:
            self.error(403, bad)
            return
        segs = path.split("/", 2)
        if len(segs) != 3 or segs[1] != BUCKET or not segs[2]:
            self.error(404, "NoSuchBucket")
            return
        key = segs[2]
        with LOCK:
            if self.command == "PUT":
                OBJECTS[key] = (data, self.headers.get(
                    "Content-Type", "binary/octet-stream"))
                self.reply(200)
                return
            obj = OBJECTS.get(key)
            if self.command == "DELETE":
                OBJECTS.pop(key, None)
                self.reply(204)
                return
        if obj is None:
            self.error(404, "NoSuchKey")
            return
        self.reply(200, obj[0], obj[1], len(obj[0]))

    do_PUT = do_GET = do_HEAD = do_DELETE = handle_any


def main():
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(
        target=server.shutdown).start())
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
