#!/usr/bin/env python3
"""The demo webhook receiver that scripts/run-stack starts for the demo user's webhook.

It does what docs/WEBHOOKS.md asks of a real receiver: verifies both signatures of every request
(X-SaaS-Signature and Standard Webhooks' webhook-signature, each with its timestamp within 5 minutes
of our clock; webhook_signatures.py), then prints one line per request:

  19:42:07Z alert_triggered  0193f0c2-…  device=demo-user-cam-2  severity=warning  X-SaaS-Signature=yes  webhook-signature=yes  -> 204

and answers 204 when both verify; 401 when either does not (missing, wrong, or its timestamp off);
400 when both verify but the body is not the event JSON or its id is not webhook-id, or there is no
Content-Length. A verified event seen before (same webhook-id: a retry) is marked "again".

The secret never goes on the command line: WEBHOOK_SECRET_FILE names a file holding it, one secret
per line (the current one first; a second line for the previous one during a rotation; either form
the API shows: `secret` or `standardWebhooksSecret`). Standard library only.

Usage: WEBHOOK_SECRET_FILE=FILE demo_receiver.py [--listen HOST:PORT]   (default 127.0.0.1:8090)
"""
import argparse
import collections
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from webhook_signatures import key_of, verify_saas, verify_standard  # noqa: E402

MAX_BODY = 1 << 20  # the platform sends at most 64 KiB of data plus the envelope
SEEN_IDS = 10000    # webhook-ids remembered to spot retries (a real receiver keeps them for hours)


def load_keys(path):
    with open(path, encoding="utf-8") as f:
        secrets = [line.strip() for line in f if line.strip()]
    if not secrets:
        raise ValueError("no secret in it")
    return [key_of(s) for s in secrets]


class Seen:
    """The webhook-ids of the last SEEN_IDS requests, shared by the handler threads."""

    def __init__(self):
        self._ids = collections.OrderedDict()
        self._lock = threading.Lock()

    def add(self, msg_id):
        """True if `msg_id` was seen before."""
        with self._lock:
            again = msg_id in self._ids
            self._ids[msg_id] = None
            self._ids.move_to_end(msg_id)
            while len(self._ids) > SEEN_IDS:
                self._ids.popitem(last=False)
            return again


def event_summary(body, msg_id):
    """(type, id, device, severity) of a well-formed event body, or None."""
    try:
        event = json.loads(body)
    except ValueError:
        return None
    if not (isinstance(event, dict) and isinstance(event.get("type"), str) and event.get("id") == msg_id
            and isinstance(event.get("data"), dict) and isinstance(event.get("timestamp"), str)):
        return None
    data = event["data"]
    device, severity = data.get("deviceId"), data.get("severity")
    return (event["type"], event["id"], device if isinstance(device, str) else None,
            severity if isinstance(severity, str) else None)


def yes_no(verdict):
    return "yes" if verdict.ok else "no (%s)" % verdict.why


class Receiver(BaseHTTPRequestHandler):
    server_version = "demo-receiver/1"
    protocol_version = "HTTP/1.1"  # keep-alive, as the platform's sender reuses connections
    keys = []    # set in main()
    seen = Seen()

    def do_POST(self):
        length = self.headers.get("Content-Length", "")
        if not length.isdigit() or int(length) > MAX_BODY:
            self.close_connection = True  # the body was not read: the connection cannot go on
            return self.answer(400, "no Content-Length or a body over 1 MiB")
        body = self.rfile.read(int(length))  # the exact bytes that were signed: verify before parsing
        h = self.headers
        now = time.time()
        saas = verify_saas(self.keys, body, h.get("X-SaaS-Timestamp"), h.get("X-SaaS-Signature"), now)
        standard = verify_standard(self.keys, body, h.get("webhook-id"), h.get("webhook-timestamp"),
                                   h.get("webhook-signature"), now)
        summary = event_summary(body, h.get("webhook-id"))
        if not (saas.ok and standard.ok):
            status = 401
        elif summary is None:
            status = 400
        else:
            status = 204
        if summary:
            kind, event_id, device, severity = summary
        else:
            kind, event_id, device, severity = h.get("X-SaaS-Event") or "?", h.get("webhook-id") or "?", None, None
        # Only a verified event counts as received: a forged copy must not hide the real one.
        again = "  again" if status == 204 and self.seen.add(event_id) else ""
        # The line first: it is in the log by the time the sender has its answer.
        print("%s %-16s %s  device=%s%s  X-SaaS-Signature=%s  webhook-signature=%s  -> %d%s" % (
            time.strftime("%H:%M:%SZ", time.gmtime(now)), kind, event_id, device or "-",
            "  severity=" + severity if severity else "", yes_no(saas), yes_no(standard), status, again), flush=True)
        self.answer(status)  # processing an event would come after this: answer within timeoutMs

    def answer(self, status, why=""):
        self.send_response(status)
        if status != 204:  # a 204 has no body and no Content-Length (RFC 9110)
            self.send_header("Content-Length", str(len(why)))
        self.end_headers()
        self.wfile.write(why.encode())

    def log_message(self, *args):
        pass  # one line per event (above), not http.server's access log


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", default="127.0.0.1:8090", metavar="HOST:PORT")
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    path = os.environ.get("WEBHOOK_SECRET_FILE")
    if not path:
        sys.exit("demo_receiver: WEBHOOK_SECRET_FILE is not set (a file holding the webhook's secret)")
    try:
        Receiver.keys = load_keys(path)
    except (OSError, ValueError) as e:
        sys.exit("demo_receiver: WEBHOOK_SECRET_FILE %s: %s" % (path, e))

    server = ThreadingHTTPServer((host, int(port)), Receiver)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("demo receiver: listening on http://%s:%d/, %d secret(s)" % (host, server.server_port, len(Receiver.keys)),
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
