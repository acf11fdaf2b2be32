#!/usr/bin/env python3
"""Drives demo_receiver.py's request handler over real HTTP (in-process, an ephemeral port) with the
signed request of docs/WEBHOOKS.md, "Checking your own implementation", its clock set to the vector's timestamp: the answers (204, 401,
400), the printed line, retries marked "again", keep-alive. Registered with ctest, label unit; runs in
well under a second. Usage: tools/webhook-receiver/demo_receiver_test.py
"""
import base64
import contextlib
import hashlib
import hmac
import http.client
import io
import os
import sys
import threading
import unittest
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import demo_receiver  # noqa: E402
from signatures_test import BODY, EVENT_ID, OLD_SECRET, SAAS_SIG, SECRET, STD_SIG_ROTATED, TS  # noqa: E402

HEADERS = {"Content-Type": "application/json", "X-SaaS-Event": "alert_triggered", "X-SaaS-Delivery-Id": "d-1",
           "X-SaaS-Timestamp": TS, "webhook-timestamp": TS, "webhook-id": EVENT_ID,
           "X-SaaS-Signature": SAAS_SIG, "webhook-signature": STD_SIG_ROTATED}


class Receiver(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        demo_receiver.Receiver.keys = [demo_receiver.key_of(SECRET)]
        cls.server = demo_receiver.ThreadingHTTPServer(("127.0.0.1", 0), demo_receiver.Receiver)
        cls.thread = threading.Thread(target=cls.server.serve_forever, args=(0.05,), daemon=True)  # quick shutdown
        cls.thread.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def setUp(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.server.server_port, timeout=5)

    def tearDown(self):
        self.conn.close()

    def post(self, body=BODY, now=int(TS), **changes):
        """(status, printed line) of one POST; a change of None drops that header."""
        headers = {k: v for k, v in {**HEADERS, **changes}.items() if v is not None}
        out = io.StringIO()
        with mock.patch("time.time", return_value=now), contextlib.redirect_stdout(out):
            self.conn.request("POST", "/webhook", body, headers)
            response = self.conn.getresponse()
            response.read()
        return response.status, out.getvalue()

    def test_verified_event_then_its_retry_on_the_same_connection(self):
        status, line = self.post()
        self.assertEqual(status, 204)
        self.assertRegex(line, r"^\d\d:\d\d:\d\dZ alert_triggered +%s  device=cam-1  severity=warning  "
                               r"X-SaaS-Signature=yes  webhook-signature=yes  -> 204\n$" % EVENT_ID)
        status, line = self.post()  # keep-alive: the same connection serves the next request
        self.assertEqual(status, 204)
        self.assertTrue(line.endswith("-> 204  again\n"), line)

    def test_refusals(self):
        status, line = self.post(body=BODY.replace(b"15", b"16"))
        self.assertEqual(status, 401)
        self.assertIn("X-SaaS-Signature=no (mismatch)  webhook-signature=no (mismatch)  -> 401", line)
        status, line = self.post(now=int(TS) + 301)
        self.assertEqual(status, 401)
        self.assertIn("X-SaaS-Signature=no (timestamp -301 s off)", line)
        status, line = self.post(**{"X-SaaS-Signature": None})
        self.assertEqual((status, "X-SaaS-Signature=no (no signature)  webhook-signature=yes" in line), (401, True))
        status, line = self.post(**{"webhook-id": "msg_other"})  # webhook-id is signed
        self.assertEqual((status, "webhook-signature=no (mismatch)" in line), (401, True))

    def test_signed_but_not_an_event(self):
        body, key = b"[1]", SECRET.encode()
        saas = "sha256=" + hmac.new(key, TS.encode() + b"." + body, hashlib.sha256).hexdigest()
        std = "v1," + base64.b64encode(hmac.new(key, ("%s.%s." % (EVENT_ID, TS)).encode() + body,
                                                hashlib.sha256).digest()).decode()
        status, line = self.post(body=body, **{"X-SaaS-Signature": saas, "webhook-signature": std})
        self.assertEqual(status, 400)
        self.assertIn("X-SaaS-Signature=yes  webhook-signature=yes  -> 400", line)

    def test_old_secret_alone_passes_only_webhook_signature(self):
        with mock.patch.object(demo_receiver.Receiver, "keys", [demo_receiver.key_of(OLD_SECRET)]):
            status, line = self.post()
        self.assertEqual(status, 401)
        self.assertIn("X-SaaS-Signature=no (mismatch)  webhook-signature=yes", line)


if __name__ == "__main__":
    unittest.main(verbosity=1)
