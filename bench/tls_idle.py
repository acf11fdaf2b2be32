"""bench/run --tls-idle: what an idle stream costs the gateway in memory, plain against direct TLS.

One sse-gateway (`--threads 1`, pinned to the server core) on a private redis-server; N streams
opened to it from this process (Python's ssl, TLS 1.3, one certificate made by openssl), held
idle, and the gateway's RSS read from /proc before and after; then the same over plain HTTP against
a fresh gateway. bench/run writes the table to bench/results/<date>-tls-idle.{json,md}.
"""
import hashlib
import os
import socket
import ssl
import subprocess
import time

import webhooks  # bench/webhooks.py: /proc readers

USER, DEVICE = "tls-bench-user", "tls-bench-cam"
STREAMS_FULL, STREAMS_QUICK = 2000, 200


def open_streams(port, key, n, tls_ctx):
    """n streams, each read up to the end of its response head (the stream is then open and idle)."""
    request = (f"GET /api/v1/devices/{DEVICE}/analysis/stream HTTP/1.1\r\nHost: localhost\r\n"
               f"Authorization: Bearer {key}\r\nAccept: text/event-stream\r\n\r\n").encode()
    held = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        if tls_ctx:
            s = tls_ctx.wrap_socket(s, server_hostname="localhost")
        s.sendall(request)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                raise RuntimeError("the gateway closed a stream: " + head.decode(errors="replace"))
            head += chunk
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError("stream refused: " + head.split(b"\r\n")[0].decode())
        held.append(s)
    return held


def measure(h, workdir, redis_url, key, n, tls):
    port = h.free_port()
    argv = [str(h.BIN / "sse-gateway"), "--listen", f"127.0.0.1:{port}", "--redis", redis_url, "--threads", "1",
            "--max-conns-per-user", "1000000", "--log-level", "warn"]
    ctx = None
    if tls:
        argv += ["--tls-cert", str(workdir / "cert.pem"), "--tls-key", str(workdir / "key.pem")]
        ctx = ssl.create_default_context(cafile=str(workdir / "cert.pem"))
    gw = h.Server("gateway-tls" if tls else "gateway-plain", argv, port, workdir, wait=60.0)
    try:
        time.sleep(0.5)
        before = webhooks.status_kib(gw.proc.pid, "VmRSS")
        t0 = time.time()
        held = open_streams(port, key, n, ctx)
        opened_s = time.time() - t0
        time.sleep(3)  # idle: whatever a handshake or a first write allocated and gave back is gone
        after = webhooks.status_kib(gw.proc.pid, "VmRSS")
        for s in held:
            s.close()
        return {"streams": n, "rss_before_kib": before, "rss_after_kib": after,
                "kib_per_stream": (after - before) / n, "opened_per_s": n / opened_s}
    finally:
        gw.stop()


def run(h, quick, workdir):
    """The document bench/run stores, and its table."""
    n = STREAMS_QUICK if quick else STREAMS_FULL
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(workdir / "key.pem"), "-out", str(workdir / "cert.pem")],
                   check=True, capture_output=True)
    redis, redis_url = h.start_redis(workdir)
    try:
        key = "sk_tls_bench_" + os.urandom(16).hex()
        h.redis_cli(redis_url, "HSET", "apikey:" + hashlib.sha256(key.encode()).hexdigest(), "userId", USER,
                    "scopes", "device:read")
        h.redis_cli(redis_url, "SADD", f"user:{USER}:devices", DEVICE)
        plain = measure(h, workdir, redis_url, key, n, tls=False)
        tls = measure(h, workdir, redis_url, key, n, tls=True)
    finally:
        redis.stop()
    load = os.getloadavg()[0]
    doc = {"plain": plain, "tls": tls, "tls_extra_kib_per_stream": tls["kib_per_stream"] - plain["kib_per_stream"],
           "openssl": ssl.OPENSSL_VERSION, "load_average": load}
    md = ("| idle stream, one gateway (`--threads 1`) | plain | direct TLS (1.3, P-256) | TLS − plain |\n"
          "|---|---:|---:|---:|\n"
          f"| RSS per stream (KiB), {n:,} streams | {plain['kib_per_stream']:.2f} | "
          f"{tls['kib_per_stream']:.2f} | {doc['tls_extra_kib_per_stream']:.2f} |\n"
          f"| streams opened per second (one Python client, one at a time) | {plain['opened_per_s']:,.0f} | "
          f"{tls['opened_per_s']:,.0f} | |\n\n"
          f"{ssl.OPENSSL_VERSION} on the client; load average {load:.2f}.")
    return doc, md
