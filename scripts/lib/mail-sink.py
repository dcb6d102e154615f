#!/usr/bin/python3
# lectern — scripts/lib/mail-sink.py: a loopback SMTP server that
# delivers nothing: the development mail sink of scripts/run, and the
# tests' (t/http/285-mailer.t).
#
# Usage: mail-sink.py DIR PORT
# Listens on 127.0.0.1:PORT with aiosmtpd (Debian python3-aiosmtpd; run
# it with /usr/bin/python3, which has Debian's modules) and writes each
# message it accepts to DIR as NAME.eml, the message as received, and
# NAME.env, its envelope as JSON {"mail_from": ..., "rcpt_tos": [...],
# "auth": ...}; NAME is the message's number (six digits, so names sort
# in arrival order) and the time it came.  Both appear by rename, the
# .env last, so a reader never sees half a message.  When the
# environment has SMTP_SINK_AUTH=user:password, AUTH PLAIN and LOGIN are
# offered (without TLS: loopback only) and required, and only those
# credentials pass; "auth" is then the login that was used.  Prints
# "ready" on standard output once it accepts connections, then one line
# per message ("mail: FILE to ADDRESS"); exits on SIGTERM or SIGINT.
import json
import os
import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        self.seq = 0
        self.lock = threading.Lock()

    def _write(self, name, data):
        tmp = os.path.join(self.outdir, '.' + name + '.tmp')
        with open(tmp, 'wb') as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.outdir, name))

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.seq += 1
            n = self.seq
        name = '%06d-%s' % (n, time.strftime('%Y%m%d-%H%M%S'))
        login = session.auth_data.login if isinstance(
            session.auth_data, LoginPassword) else None
        env = {
            'mail_from': envelope.mail_from,
            'rcpt_tos': envelope.rcpt_tos,
            'auth': login.decode('utf-8', 'replace') if login else None,
        }
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode('utf-8')
        self._write(name + '.eml', content)
        self._write(name + '.env', json.dumps(env).encode('utf-8'))
        print('mail: %s to %s' % (os.path.join(self.outdir, name + '.eml'),
                                  ', '.join(envelope.rcpt_tos)), flush=True)
        return '250 OK'


def authenticator(want):
    user, _, password = want.partition(':')

    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode('utf-8')
              and auth_data.password == password.encode('utf-8'))
        return AuthResult(success=ok,
                          auth_data=auth_data if ok else None)
    return check


def main():
    if len(sys.argv) != 3:
        sys.stderr.write('usage: mail-sink.py DIR PORT\n')
        return 2
    outdir, port = sys.argv[1], int(sys.argv[2])
    kw = {}
    want = os.environ.get('SMTP_SINK_AUTH')
    if want:
        kw['authenticator'] = authenticator(want)
        kw['auth_require_tls'] = False
        kw['auth_required'] = True
    ctl = Controller(Sink(outdir), hostname='127.0.0.1', port=port,
                     decode_data=False, **kw)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    ctl.start()
    print('ready', flush=True)
    while not done.wait(0.5):
        pass
    ctl.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
