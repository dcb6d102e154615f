"""lectern bench peer: GET /api/auth/me and GET /api/courses in Flask.

The stack the Flask apps lectern replaces ran on (Flask + gunicorn sync
workers + a psycopg2 connection pool), answering the same two requests
over the same database with the same checks, so bench/run can compare
like with like.  Not part of lectern; used only by bench/run.
"""
import os
import time

import jwt
from flask import Flask, jsonify, request
from psycopg2.pool import SimpleConnectionPool

DSN = os.environ["LECTERN_DATABASE_URL"]
SECRET = os.environ["LECTERN_JWT_SECRET"]
ISSUER = os.environ.get("LECTERN_JWT_ISSUER", "lectern")

app = Flask(__name__)
pool = None


def db():
    global pool
    if pool is None:  # one pool per gunicorn worker, after the fork
        pool = SimpleConnectionPool(1, 4, DSN)
    return pool


def fail(status, code, message):
    return jsonify(error={"code": code, "message": message}), status


@app.get("/api/auth/me")
def me():
    h = request.headers.get("Authorization", "")
    if not h.startswith("Bearer "):
        return fail(401, "unauthorized", "authentication required")
    try:
        c = jwt.decode(h[7:], SECRET, algorithms=["HS256"], issuer=ISSUER,
                       leeway=30, options={"require": ["exp", "sub", "jti"]})
    except jwt.PyJWTError:
        return fail(401, "unauthorized", "authentication required")
    if c.get("typ") != "access" or not c.get("sid"):
        return fail(401, "unauthorized", "authentication required")
    conn = db().getconn()
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT u.id, u.email, u.name, u.role, u.is_active,"
                " to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
                " to_char(u.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
                " (s.id IS NOT NULL AND s.revoked_at IS NULL AND s.expires_at > now()),"
                " EXISTS (SELECT 1 FROM revoked_tokens t WHERE t.jti = %s)"
                " FROM users u LEFT JOIN sessions s ON s.id = %s AND s.user_id = u.id"
                " WHERE u.id = %s", (c["jti"], c["sid"], int(c["sub"])))
            row = cur.fetchone()
        conn.commit()
    finally:
        db().putconn(conn)
    if row is None or not row[7] or row[8]:
        return fail(401, "unauthorized", "authentication required")
    if not row[4]:
        return fail(403, "account_disabled", "account is disabled")
    resp = jsonify(id=row[0], email=row[1], name=row[2], role=row[3],
                   is_active=row[4], created_at=row[5], updated_at=row[6])
    resp.headers["Cache-Control"] = "no-store"
    return resp


@app.get("/api/courses")
def courses():
    try:
        page = int(request.args.get("page", "1"))
        per_page = int(request.args.get("per_page", "20"))
        assert 1 <= page and 1 <= per_page <= 100
    except (ValueError, AssertionError):
        return fail(400, "validation_failed", "bad paging")
    conn = db().getconn()
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT c.id, c.title, c.description, c.price_minor, c.currency,"
                " c.published, c.archived, u.id, u.name,"
                " to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
                " to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
                " count(*) OVER ()"
                " FROM courses c JOIN users u ON u.id = c.instructor_id"
                " WHERE c.published AND NOT c.archived ORDER BY c.id"
                " LIMIT %s OFFSET %s", (per_page, (page - 1) * per_page))
            rows = cur.fetchall()
        conn.commit()
    finally:
        db().putconn(conn)
    total = rows[0][11] if rows else 0
    items = [{"id": r[0], "title": r[1], "description": r[2],
              "price": "%d.%02d" % (r[3] // 100, r[3] % 100),
              "currency": r[4], "published": r[5], "archived": r[6],
              "instructor": {"id": r[7], "name": r[8]},
              "created_at": r[9], "updated_at": r[10]} for r in rows]
    pages = (total + per_page - 1) // per_page
    return jsonify(items=items, page=page, per_page=per_page, total=total,
                   total_pages=pages, has_next=page < pages,
                   has_prev=page > 1)
