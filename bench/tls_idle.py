#!/usr/bin/env python3
"""bench/tls_idle.py: what an idle stream costs the gateway in memory, plain against direct TLS.

One sse-gateway (`--threads 1`, pinned to core 0) on a private redis-server; N streams opened to it
from this process (Python's ssl, TLS 1.3, one certificate made by openssl), held idle, and the
gateway's RSS read from /proc before and after; then the same over plain HTTP against a fresh
gateway. Prints the table and writes bench/results/<date>-tls-idle.{json,md}. It stops every
process it started. Usage: bench/tls_idle.py [--streams N] (default 2000).
"""
import argparse
import datetime
import hashlib
import json
import os
import pathlib
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(os.environ.get("SSEGW_BENCH_BIN_DIR", ROOT / "build" / "bin"))
RESULTS = ROOT / "bench" / "results"
USER, DEVICE = "tls-bench-user", "tls-bench-cam"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=30.0):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def rss_kib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def start(argv, port, log, core):
    taskset = ["taskset", "-c", core] if shutil.which("taskset") and os.cpu_count() >= 2 else []
    p = subprocess.Popen(taskset + argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wait_port(port, p)
    return p


def stop(p):
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


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


def measure(workdir, redis_url, key, n, tls):
    port = free_port()
    argv = [str(BIN / "sse-gateway"), "--listen", f"127.0.0.1:{port}", "--redis", redis_url, "--threads", "1",
            "--max-conns-per-user", "1000000", "--log-level", "warn"]
    ctx = None
    if tls:
        argv += ["--tls-cert", str(workdir / "cert.pem"), "--tls-key", str(workdir / "key.pem")]
        ctx = ssl.create_default_context(cafile=str(workdir / "cert.pem"))
    with open(workdir / f"gateway-{'tls' if tls else 'plain'}.log", "ab") as log:
        gw = start(argv, port, log, "0")
        try:
            time.sleep(0.5)
            before = rss_kib(gw.pid)
            t0 = time.time()
            held = open_streams(port, key, n, ctx)
            opened_s = time.time() - t0
            time.sleep(3)  # idle: whatever a handshake or a first write allocated and gave back is gone
            after = rss_kib(gw.pid)
            for s in held:
                s.close()
            return {"streams": n, "rss_before_kib": before, "rss_after_kib": after,
                    "kib_per_stream": (after - before) / n, "opened_per_s": n / opened_s}
        finally:
            stop(gw)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--streams", type=int, default=2000)
    a = ap.parse_args()
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="sse-tls-idle-"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(workdir / "key.pem"), "-out", str(workdir / "cert.pem")],
                   check=True, capture_output=True)
    rport = free_port()
    with open(workdir / "redis.log", "ab") as log:
        redis = start(["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                       "--dir", str(workdir)], rport, log, "1")
    try:
        key = "sk_tls_bench_" + os.urandom(16).hex()
        cli = ["redis-cli", "-p", str(rport)]
        subprocess.run(cli + ["HSET", "apikey:" + hashlib.sha256(key.encode()).hexdigest(), "userId", USER,
                              "scopes", "device:read"], check=True, capture_output=True)
        subprocess.run(cli + ["SADD", f"user:{USER}:devices", DEVICE], check=True, capture_output=True)
        url = f"redis://127.0.0.1:{rport}"
        plain = measure(workdir, url, key, a.streams, tls=False)
        tls = measure(workdir, url, key, a.streams, tls=True)
    finally:
        stop(redis)
    load = os.getloadavg()[0]
    stamp = datetime.date.today().isoformat()
    doc = {"plain": plain, "tls": tls, "tls_extra_kib_per_stream": tls["kib_per_stream"] - plain["kib_per_stream"],
           "openssl": ssl.OPENSSL_VERSION, "load_average": load}
    md = ("| idle stream, one gateway (`--threads 1`) | plain | direct TLS (1.3, P-256) | TLS − plain |\n"
          "|---|---:|---:|---:|\n"
          f"| RSS per stream (KiB), {a.streams:,} streams | {plain['kib_per_stream']:.2f} | "
          f"{tls['kib_per_stream']:.2f} | {doc['tls_extra_kib_per_stream']:.2f} |\n"
          f"| streams opened per second (one Python client, one at a time) | {plain['opened_per_s']:,.0f} | "
          f"{tls['opened_per_s']:,.0f} | |\n\n"
          f"{ssl.OPENSSL_VERSION} on the client; load average {load:.2f}.")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{stamp}-tls-idle.json").write_text(json.dumps(doc, indent=2) + "\n")
    (RESULTS / f"{stamp}-tls-idle.md").write_text(md + "\n")
    shutil.rmtree(workdir, ignore_errors=True)
    print(md)


if __name__ == "__main__":
    main()
