"""Checks the two signatures a webhook request carries (docs/WEBHOOKS.md, "What your server receives"),
written from docs/WEBHOOKS.md alone, apart from the platform's C++ signing code, so the demo receiver
checks that code rather than repeating it. Standard library only; pure (the clock is an argument).

- X-SaaS-Signature: "sha256=" + hex HMAC-SHA256(key, "<X-SaaS-Timestamp>.<body>"), one value.
- webhook-signature (Standard Webhooks): space-separated "v1,<base64 HMAC-SHA256(key,
  "<webhook-id>.<webhook-timestamp>.<body>")>"; during a secret rotation several, any valid one passes.

The key is the secret's characters as bytes; a "whsec_" secret (standardWebhooksSecret) is the same
key in base64. Several secrets may be given (the receiver's side of a rotation): any one may match.
"""
import base64
import binascii
import hashlib
import hmac
from typing import Iterable, NamedTuple, Optional

TOLERANCE_SECONDS = 5 * 60  # refuse timestamps further than this from our clock (replayed requests)


class Verdict(NamedTuple):
    ok: bool
    why: str  # "" when ok; else a few words for the log line


def key_of(secret: str) -> bytes:
    """The HMAC key of a secret as the API shows it: `secret` (its characters) or `standardWebhooksSecret`."""
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret[len("whsec_"):], validate=True)
        except binascii.Error as e:
            raise ValueError("a whsec_ secret must be base64 after the prefix") from e
    return secret.encode("utf-8")


def _timestamp_verdict(timestamp: Optional[str], now: float, tolerance: int) -> Optional[Verdict]:
    """A refusal for a missing, malformed or stale timestamp; None when it is acceptable."""
    if not timestamp:
        return Verdict(False, "no timestamp")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return Verdict(False, "malformed timestamp")
    if abs(now - int(timestamp)) > tolerance:
        return Verdict(False, "timestamp %+d s off" % (int(timestamp) - int(now)))
    return None


def _same(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)  # constant time: no timing hint about how much of a guess matched


def verify_saas(keys: Iterable[bytes], body: bytes, timestamp: Optional[str], signature: Optional[str],
                now: float, tolerance: int = TOLERANCE_SECONDS) -> Verdict:
    """X-SaaS-Signature against X-SaaS-Timestamp and the raw body."""
    if not signature:
        return Verdict(False, "no signature")
    refused = _timestamp_verdict(timestamp, now, tolerance)
    if refused:
        return refused
    given = signature.encode("utf-8", "replace")
    for key in keys:
        mac = hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256)
        if _same(given, b"sha256=" + mac.hexdigest().encode()):
            return Verdict(True, "")
    return Verdict(False, "mismatch")


def verify_standard(keys: Iterable[bytes], body: bytes, msg_id: Optional[str], timestamp: Optional[str],
                    signatures: Optional[str], now: float, tolerance: int = TOLERANCE_SECONDS) -> Verdict:
    """webhook-signature against webhook-id, webhook-timestamp and the raw body; any v1 entry may match."""
    if not msg_id or not signatures:
        return Verdict(False, "no webhook-id" if not msg_id else "no signature")
    refused = _timestamp_verdict(timestamp, now, tolerance)
    if refused:
        return refused
    # Entries of other versions (e.g. v1a, asymmetric) are not ours to check: skipped, not failed.
    given = [entry[3:].encode("utf-8", "replace") for entry in signatures.split(" ") if entry.startswith("v1,")]
    for key in keys:
        mac = hmac.new(key, msg_id.encode("utf-8", "replace") + b"." + timestamp.encode() + b"." + body,
                       hashlib.sha256)
        expected = base64.b64encode(mac.digest())
        if any(_same(g, expected) for g in given):
            return Verdict(True, "")
    return Verdict(False, "mismatch")
