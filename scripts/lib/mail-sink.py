#!/usr/bin/python3
# lectern — scripts/lib/mail-sink.py: the development mail sink of
# scripts/run.
#
# Usage: mail-sink.py DIR PORT
# An SMTP server on 127.0.0.1:PORT (aiosmtpd, Debian python3-aiosmtpd)
# that delivers nothing: every message lectern-mailer hands it is written
# to DIR as YYYYMMDD-HHMMSS-N.eml (the message as received, with a
# first line "X-Lectern-Envelope-To:" naming the recipients), by rename,
# so a reader never sees half a file.  Prints "ready" once it accepts
# connections and one line per message ("mail: FILE to ADDRESS");
# exits on SIGTERM or SIGINT.
import os
import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        self.seq = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.seq += 1
            n = self.seq
        name = '%s-%d.eml' % (time.strftime('%Y%m%d-%H%M%S'), n)
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode('utf-8')
        to = ', '.join(envelope.rcpt_tos)
        head = ('X-Lectern-Envelope-To: %s\r\n' % to).encode('utf-8')
        tmp = os.path.join(self.outdir, '.' + name + '.tmp')
        with open(tmp, 'wb') as f:
            f.write(head + content)
        os.rename(tmp, os.path.join(self.outdir, name))
        print('mail: %s to %s' % (os.path.join(self.outdir, name), to),
              flush=True)
        return '250 OK'


def main():
    if len(sys.argv) != 3:
        sys.stderr.write('usage: mail-sink.py DIR PORT\n')
        return 2
    outdir, port = sys.argv[1], int(sys.argv[2])
    ctl = Controller(Sink(outdir), hostname='127.0.0.1', port=port,
                     decode_data=False)
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
