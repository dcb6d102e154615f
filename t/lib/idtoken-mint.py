#!/usr/bin/python3
"""lectern — sign ID tokens for the tests, as Google and Firebase would.

Reads the claims (a JSON object) on stdin and prints one compact token,
made with PyJWT and python3-cryptography: an implementation independent
of lectern's own.  The key is the stand-in's (t/lib/jwks-standin.py)
private key KEYDIR/<kid>.pem; the header names kid (default: the
stand-in's newest key).  An unknown kid is signed with the newest key.

Usage: idtoken-mint.py KEYDIR [MODE [KID]]
MODE: rs256 (the default); none (alg none, no signature); hs256-pubkey
(HS256 keyed with the public key's PEM, the classic confusion attack);
flip (RS256 with one signature byte changed).
"""
import base64
import hashlib
import hmac
import json
import os
import sys

import jwt
from cryptography.hazmat.primitives import serialization

keydir = sys.argv[1]
mode = sys.argv[2] if len(sys.argv) > 2 else "rs256"
with open(os.path.join(keydir, "current")) as f:
    current = f.read().strip()
kid = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else current
path = os.path.join(keydir, kid + ".pem")
if not os.path.exists(path):
    path = os.path.join(keydir, current + ".pem")
with open(path, "rb") as f:
    pem = f.read()
claims = json.load(sys.stdin)


def b64u(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def seg(obj):
    return b64u(json.dumps(obj, separators=(",", ":")).encode())


if mode == "rs256":
    tok = jwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid})
elif mode == "flip":
    tok = jwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid})
    head, body, sig = tok.split(".")
    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    raw[len(raw) // 2] ^= 0x01
    tok = "%s.%s.%s" % (head, body, b64u(bytes(raw)))
elif mode == "none":
    tok = jwt.encode(claims, None, algorithm="none", headers={"kid": kid})
elif mode == "hs256-pubkey":
    # PyJWT itself refuses a PEM key as an HMAC secret: sign by hand.
    priv = serialization.load_pem_private_key(pem, password=None)
    pub = priv.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo)
    signing = "%s.%s" % (seg({"alg": "HS256", "kid": kid, "typ": "JWT"}),
                         seg(claims))
    mac = hmac.new(pub, signing.encode(), hashlib.sha256).digest()
    tok = "%s.%s" % (signing, b64u(mac))
else:
    sys.exit("unknown mode " + mode)
print(tok)
