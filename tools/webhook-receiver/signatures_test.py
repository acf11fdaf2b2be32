#!/usr/bin/env python3
"""Checks webhook_signatures.py against the test vectors of docs/WEBHOOKS.md, "Checking your own implementation" (the ones docs/WEBHOOKS.md
publishes under "Checking your own implementation"), plus the refusals a receiver must make: a
tampered body, a wrong secret, a stale timestamp, a missing header. Registered with ctest, label
unit; runs in well under a second. Usage: tools/webhook-receiver/signatures_test.py
"""
import hashlib
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from webhook_signatures import key_of, verify_saas, verify_standard  # noqa: E402

# Standard Webhooks' own sign test.
SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SW_ID, SW_TS, SW_BODY = "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", b'{"test": 2432232314}'
SW_SIG = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

# The seed-style vector: a 316-byte alert body, current and rotated secrets.
SECRET = "test_secret_0123456789abcdef"
SECRET_WHSEC = "whsec_dGVzdF9zZWNyZXRfMDEyMzQ1Njc4OWFiY2RlZg=="
OLD_SECRET = "old_secret_fedcba9876543210"
TS = "1769682605"
EVENT_ID = "4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40"
BODY = ('{"id":"4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40","type":"alert_triggered","timestamp":"2026-01-29T10:30:00.000Z",'
        '"data":{"ruleId":"rule-1","deviceId":"cam-1","severity":"warning","threshold":10,"actualValue":15,'
        '"message":"排隊人數 (15) 超過閾值 (10)","snapshotUrls":["https://storage.example.com/snapshot.jpg"]}}').encode()
SAAS_SIG = "sha256=b7ef54e7a2ac8afabf03096d6dd042d28244349190a3564138fef783f2353b8a"
STD_SIG = "v1,zR73vCW+tcl6ESWI2Sj1L4eyza7+QUvYdRm8aoqTEzE="
STD_SIG_ROTATED = STD_SIG + " v1,PpZJ7rUhxkNS8+bfFrcXgzGEO+dShK1nv9IZ/1zo7RQ="


class Vectors(unittest.TestCase):
    def test_body_is_the_specified_bytes(self):
        self.assertEqual(len(BODY), 316)
        self.assertEqual(hashlib.sha256(BODY).hexdigest(),
                         "3ece39dae58b248aeae79453b49152a0ae3e31a1108aedccbeb801567bffdd12")

    def test_standard_webhooks_sign_test(self):
        v = verify_standard([key_of(SW_SECRET)], SW_BODY, SW_ID, SW_TS, SW_SIG, now=int(SW_TS))
        self.assertTrue(v.ok, v.why)

    def test_saas_signature(self):
        self.assertTrue(verify_saas([key_of(SECRET)], BODY, TS, SAAS_SIG, now=int(TS)).ok)

    def test_webhook_signature_with_plain_and_whsec_secret(self):
        self.assertEqual(key_of(SECRET_WHSEC), key_of(SECRET))
        for secret in (SECRET, SECRET_WHSEC):
            self.assertTrue(verify_standard([key_of(secret)], BODY, EVENT_ID, TS, STD_SIG, now=int(TS)).ok)

    def test_rotation_any_entry_and_any_secret(self):
        for secret in (SECRET, OLD_SECRET):  # a receiver still on the old secret passes in the grace
            self.assertTrue(verify_standard([key_of(secret)], BODY, EVENT_ID, TS, STD_SIG_ROTATED, now=int(TS)).ok)
        # X-SaaS-Signature carries only the newest: the old secret alone fails, both listed pass.
        self.assertFalse(verify_saas([key_of(OLD_SECRET)], BODY, TS, SAAS_SIG, now=int(TS)).ok)
        self.assertTrue(verify_saas([key_of(OLD_SECRET), key_of(SECRET)], BODY, TS, SAAS_SIG, now=int(TS)).ok)


class Refusals(unittest.TestCase):
    key = [key_of(SECRET)]

    def test_tampered_body(self):
        body = BODY.replace(b'"actualValue":15', b'"actualValue":16')
        self.assertEqual(verify_saas(self.key, body, TS, SAAS_SIG, now=int(TS)).why, "mismatch")
        self.assertEqual(verify_standard(self.key, body, EVENT_ID, TS, STD_SIG, now=int(TS)).why, "mismatch")

    def test_wrong_secret_or_id(self):
        wrong = [key_of("another_secret_0123456789")]
        self.assertFalse(verify_saas(wrong, BODY, TS, SAAS_SIG, now=int(TS)).ok)
        self.assertFalse(verify_standard(wrong, BODY, EVENT_ID, TS, STD_SIG, now=int(TS)).ok)
        self.assertFalse(verify_standard(self.key, BODY, "msg_other", TS, STD_SIG, now=int(TS)).ok)

    def test_timestamp_tolerance(self):
        for now, ok in ((int(TS) + 300, True), (int(TS) - 300, True), (int(TS) + 301, False), (int(TS) - 301, False)):
            self.assertEqual(verify_saas(self.key, BODY, TS, SAAS_SIG, now=now).ok, ok, now)
            self.assertEqual(verify_standard(self.key, BODY, EVENT_ID, TS, STD_SIG, now=now).ok, ok, now)
        # The timestamp is signed: another one with the same signature fails even when fresh.
        self.assertFalse(verify_saas(self.key, BODY, str(int(TS) + 1), SAAS_SIG, now=int(TS)).ok)

    def test_missing_or_malformed_headers(self):
        self.assertFalse(verify_saas(self.key, BODY, None, SAAS_SIG, now=int(TS)).ok)
        self.assertFalse(verify_saas(self.key, BODY, TS, None, now=int(TS)).ok)
        self.assertFalse(verify_saas(self.key, BODY, " " + TS, SAAS_SIG, now=int(TS)).ok)
        self.assertFalse(verify_saas(self.key, BODY, TS, SAAS_SIG.upper(), now=int(TS)).ok)
        self.assertFalse(verify_standard(self.key, BODY, None, TS, STD_SIG, now=int(TS)).ok)
        self.assertFalse(verify_standard(self.key, BODY, EVENT_ID, TS, "", now=int(TS)).ok)
        self.assertFalse(verify_standard(self.key, BODY, EVENT_ID, TS, STD_SIG[3:], now=int(TS)).ok)  # no "v1,"
        self.assertFalse(verify_standard(self.key, BODY, EVENT_ID, "１７６９６８２６０５", STD_SIG, now=int(TS)).ok)
        with self.assertRaises(ValueError):
            key_of("whsec_not base64!")


if __name__ == "__main__":
    unittest.main(verbosity=1)
