"""bench/run's webhook scenarios (docs: /README.md "Benchmark"; and their goals).

One `sse-webhookd` pinned to core 0; a private Redis and the receiver (nginx over HTTPS with a CA
made here, `return 200` on keep-alive connections, one worker) on core 1. Each scenario gets a fresh
Redis, webhooks created through the gateway's management API (the gateway is stopped before the
measurement), and events published with the project's event script (EVALSHA over a small RESP
client, so that each event's id and publish time are known here).

- webhook_throughput: N events published first, then the worker started; deliveries/s until all
  are recorded (`sse_webhook_deliveries_total{result="succeeded"}`), Redis's and the worker's CPU
  per delivery (/proc), and `wrk` on core 0 POSTing a body of the same bytes with the same headers
  over as many connections as the worker may hold in flight: the HTTP ceiling of the box.
- webhook_latency: 1,000 events/s; publish time here against nginx's `$msec` of the request with
  that `webhook-id` (ms resolution).
- webhook_storm: 1,000 events/s; the receiver answers 503 (with a `Retry-After` HTTP-date at the
  outage's end) for the outage, then 200; every event must arrive, and the backlog's drain time and
  rate, the worker's RSS and its in-flight gauge (every 100 ms) are reported.
"""
import json
import os
import pathlib
import signal
import socket
import subprocess
import threading
import time
import urllib.request
import uuid
from email.utils import formatdate

EVENT_TYPE = "alert_triggered"
# The example request of docs/WEBHOOKS.md, "Checking your own implementation": a 316-byte body.
DATA = ('{"ruleId":"rule-1","deviceId":"cam-1","severity":"warning","threshold":10,"actualValue":15,'
        '"message":"排隊人數 (15) 超過閾值 (10)","snapshotUrls":["https://storage.example.com/snapshot.jpg"]}')

FULL = {
    "webhook_throughput": {"events": 50000, "in_flight": 256, "wrk_seconds": 10},
    "webhook_latency": {"rate": 1000, "seconds": 20},
    "webhook_storm": {"rate": 1000, "before": 5, "outage": 60, "after": 10, "in_flight": 256},
}
QUICK = {
    "webhook_throughput": {"events": 10000, "in_flight": 256, "wrk_seconds": 3},
    "webhook_latency": {"rate": 1000, "seconds": 4},
    "webhook_storm": {"rate": 1000, "before": 2, "outage": 10, "after": 3, "in_flight": 256},
}
# Shortened from 60,300,1800,7200,18000; with the receiver's Retry-After the first retry of every
# event failed in the outage is due at its end anyway.
STORM_RETRY_SCHEDULE = "1,2,4,8,16"


class Resp:
    """The smallest Redis client: commands out, replies in (no redis-py on Debian 12's base)."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    @staticmethod
    def encode(args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        return b"".join(out)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode()
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise RuntimeError(f"unexpected reply {line!r}")

    def call(self, *args):
        self.sock.sendall(self.encode(args))
        r = self.reply()
        if isinstance(r, RuntimeError):
            raise r
        return r

    def pipeline(self, commands):
        self.sock.sendall(b"".join(self.encode(c) for c in commands))
        return [self.reply() for _ in commands]

    def close(self):
        self.sock.close()


class Publisher:
    """Publishes alert_triggered events for one user through the project's event script."""

    def __init__(self, redis_port, user, script):
        self.r = Resp(redis_port)
        self.user = user
        self.sha = self.r.call("SCRIPT", "LOAD", script)
        self.sent = {}  # event id -> publish time (time.time(), taken just before the command)

    def command(self, eid):
        return ["EVALSHA", self.sha, "2", "webhook:events", f"webhook:evtid:{self.user}:{eid}",
                eid, EVENT_TYPE, self.user, "cam-1", "", "", DATA.encode(), "10000000"]

    def check(self, reply):
        if isinstance(reply, RuntimeError) or not isinstance(reply, list) or reply[1] != 1:
            raise RuntimeError(f"event not added: {reply}")

    def bulk(self, n, batch=1000):
        for start in range(0, n, batch):
            ids = [str(uuid.uuid4()) for _ in range(min(batch, n - start))]
            now = time.time()
            for r in self.r.pipeline([self.command(e) for e in ids]):
                self.check(r)
            for e in ids:
                self.sent[e] = now

    def paced(self, rate, seconds, stop, marks=None):
        """`rate` events/s for `seconds`, each sent at its planned time (no catch-up bursts hidden:
        a late send keeps its own, later, publish time)."""
        t0 = time.time()
        n = int(rate * seconds)
        for i in range(n):
            if stop.is_set():
                break
            due = t0 + i / rate
            d = due - time.time()
            if d > 0:
                time.sleep(d)
            eid = str(uuid.uuid4())
            t = time.time()
            self.r.sock.sendall(Resp.encode(self.command(eid)))
            self.check(self.r.reply())
            self.sent[eid] = t
            if marks is not None:
                marks.append(t)
        return time.time() - t0


def metrics(port):
    """sse-webhookd's /metrics as {name{labels}: value}."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            k, _, v = line.rpartition(" ")
            try:
                out[k] = float(v)
            except ValueError:
                pass
    return out


def succeeded(m):
    return int(m.get('sse_webhook_deliveries_total{result="succeeded"}', 0))


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


TICK = os.sysconf("SC_CLK_TCK")


class Env:
    """One scenario's world: Redis, the receiver, the webhooks. Every process goes on `self.servers`
    and is stopped by `close()`, whatever happened."""

    def __init__(self, h, workdir, name):
        self.h, self.dir = h, workdir / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.servers = []
        self.redis = None

    def add(self, server):
        self.servers.append(server)
        return server

    def close(self):
        for s in reversed(self.servers):
            try:
                s.stop()
            except Exception as e:  # stop the others anyway
                self.h.log(f"stopping {s.name}: {e}")
        self.servers = []

    # -- pieces ----------------------------------------------------------------------------------
    def files(self):
        d = self.dir
        key = d / "webhook.keys"
        key.write_text(os.urandom(32).hex() + "\n")
        key.chmod(0o600)
        self.key_file = key
        run = lambda *a: subprocess.run(["openssl", *a], cwd=d, check=True, capture_output=True)
        run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=bench-ca", "-keyout", "ca.key", "-out", "ca.pem")
        (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
        run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", "server.key", "-out", "server.csr")
        run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "2",
            "-days", "2", "-extfile", "san.ext", "-out", "server.pem")
        self.ca = d / "ca.pem"

    def start_redis(self):
        self.redis, self.redis_url = self.h.start_redis(self.dir)
        self.add(self.redis)
        self.redis_port = int(self.redis_url.rsplit(":", 1)[1])
        self.redis_pid = self.redis.proc.pid
        # taskset execs redis-server: the Popen pid is Redis's.

    def receiver_conf(self, status, retry_after=None, log=False):
        p = self.prefix
        header = f'add_header Retry-After "{retry_after}" always;' if retry_after else ""
        access = (f"access_log {p}/access.log wh buffer=256k flush=200ms;" if log else "access_log off;")
        (p / "nginx.conf").write_text(f"""daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile 65536;
pid {p}/nginx.pid;
lock_file {p}/nginx.lock;
error_log {p}/error.log warn;
events {{ worker_connections 8192; use epoll; multi_accept on; }}
http {{
  client_body_temp_path {p}/client_body_temp;
  proxy_temp_path {p}/proxy_temp;
  fastcgi_temp_path {p}/fastcgi_temp;
  uwsgi_temp_path {p}/uwsgi_temp;
  scgi_temp_path {p}/scgi_temp;
  log_format wh '$msec $http_webhook_id $status';
  {access}
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  client_body_buffer_size 128k;
  server {{
    listen 127.0.0.1:{self.receiver_port} ssl backlog=4096;
    ssl_certificate {self.dir}/server.pem;
    ssl_certificate_key {self.dir}/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {{ {header} return {status}; }}
  }}
}}
""")

    def start_receiver(self, log=False):
        self.prefix = self.dir / "nginx"
        self.prefix.mkdir(exist_ok=True)
        if os.getuid() == 0:
            os.chmod(self.prefix, 0o755)
            os.chmod(self.dir, 0o755)
        self.receiver_port = self.h.free_port()
        self.receiver_log = log
        self.receiver_conf(200, log=log)
        subprocess.run(["nginx", "-t", "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"), "-e",
                        str(self.prefix / "error.log")], check=True, capture_output=True)
        self.receiver = self.add(self.h.Server(
            "receiver", ["nginx", "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"),
                         "-e", str(self.prefix / "error.log")], self.receiver_port, self.dir, core=self.h.LOAD_CORE))

    def reload_receiver(self, status, retry_after=None):
        self.receiver_conf(status, retry_after, log=self.receiver_log)
        os.kill(self.receiver.proc.pid, signal.SIGHUP)

    def webhook_flags(self):
        return ["--webhook-secret-key-file", str(self.key_file), "--webhook-allow-net", "127.0.0.0/8",
                "--webhook-ca-file", str(self.ca)]

    def create_webhooks(self, users, body_extra=None):
        """One webhook per user through the management API of a gateway started for that."""
        port = self.h.free_port()
        gw = self.h.Server("gateway", [str(self.h.BIN / "sse-gateway"), "--listen", f"127.0.0.1:{port}", "--redis",
                                       self.redis_url, "--log-level", "warn", *self.webhook_flags()], port, self.dir,
                           core=self.h.LOAD_CORE, wait=120.0)
        try:
            for u in users:
                key = f"sk_bench_{u}_{uuid.uuid4().hex}"
                subprocess.run([str(self.h.BIN / "sse-publish"), "--demo", "--redis", self.redis_url, "--user", u,
                                "--key", key, "--devices", "1", "--count", "1", "--rate", "1000"],
                               check=True, capture_output=True, timeout=30)
                body = {"url": f"https://127.0.0.1:{self.receiver_port}/hook/{u}", "name": "bench",
                        "subscribedTypes": [EVENT_TYPE], **(body_extra or {})}
                req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/users/me/webhook",
                                             data=json.dumps(body).encode(), method="POST",
                                             headers={"Authorization": f"Bearer {key}",
                                                      "Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=10) as r:
                    if r.status != 201:
                        raise RuntimeError(f"webhook for {u}: HTTP {r.status}")
        finally:
            gw.stop()

    def start_worker(self, *extra):
        self.worker_port = self.h.free_port()
        w = self.add(self.h.Server("webhookd", [str(self.h.BIN / "sse-webhookd"), "--listen",
                                                f"127.0.0.1:{self.worker_port}", "--redis", self.redis_url,
                                                "--log-level", "warn", *self.webhook_flags(), *extra],
                                   self.worker_port, self.dir, core=self.h.SERVER_CORE))
        end = time.time() + 30
        while time.time() < end:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.worker_port}/readyz", timeout=1) as r:
                    if r.status == 200:
                        return w
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("sse-webhookd not ready after 30 s")

    def publisher(self, user):
        script = subprocess.run([str(self.h.BIN / "sse-publish"), "--print-event-script"], check=True,
                                capture_output=True, text=True).stdout
        return Publisher(self.redis_port, user, script)

    def access_log(self):
        """[(arrival s, webhook-id, status)] once nginx flushed its buffer."""
        lines = []
        p = self.prefix / "access.log"
        if p.exists():
            for line in p.read_text().splitlines():
                parts = line.split()
                if len(parts) == 3:
                    lines.append((float(parts[0]), parts[1], int(parts[2])))
        return lines


def pct(sorted_values, q):
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[i]


def wrk_script(path, url_host):
    """A POST of the same body bytes (the 316-byte event of docs/WEBHOOKS.md's example) with the same headers
    (values of the same shape and length) as sse-webhookd sends."""
    eid = str(uuid.uuid4())
    body = ('{"id":"' + eid + '","type":"' + EVENT_TYPE + '","timestamp":"2026-01-29T10:30:00.000Z","data":' + DATA + '}')
    ts = str(int(time.time()))
    headers = {
        "Host": url_host, "User-Agent": "sse-webhooks/1", "Content-Type": "application/json",
        "X-SaaS-Event": EVENT_TYPE, "X-SaaS-Delivery-Id": str(uuid.uuid4()), "X-SaaS-Timestamp": ts,
        "webhook-timestamp": ts, "webhook-id": eid, "X-SaaS-Signature": "sha256=" + "ab" * 32,
        "webhook-signature": "v1," + "A" * 43 + "=", "Connection": "keep-alive",
    }

    def lua(s):
        return json.dumps(s, ensure_ascii=False)  # a valid Lua string literal for these characters
    lines = ['wrk.method = "POST"', f"wrk.body = {lua(body)}"]
    lines += [f"wrk.headers[{lua(k)}] = {lua(v)}" for k, v in headers.items()]
    pathlib.Path(path).write_text("\n".join(lines) + "\n")
    return len(body.encode())


# -- scenarios ------------------------------------------------------------------------------------

def throughput(h, workdir, p):
    env = Env(h, workdir, "webhook_throughput")
    try:
        env.files()
        env.start_redis()
        env.start_receiver(log=False)
        env.create_webhooks(["tp"])
        n, m = p["events"], p["in_flight"]
        pub = env.publisher("tp")
        t = time.time()
        pub.bulk(n)
        h.log(f"webhook_throughput: {n} events published in {time.time() - t:.1f} s")
        pub.r.call("CONFIG", "RESETSTAT")
        redis_before = cpu_ticks(env.redis_pid)
        nginx_pids = env.receiver.pids()
        nginx_before = sum(cpu_ticks(x) for x in nginx_pids)
        start = time.time()
        w = env.start_worker("--max-in-flight", str(m), "--max-in-flight-per-webhook", str(m))
        wpid = w.proc.pid
        first = None  # (time, count, worker ticks, redis ticks) at the first sample with deliveries
        done = None
        samples = []
        while time.time() - start < 600:
            mm = metrics(env.worker_port)
            c = succeeded(mm)
            now = time.time()
            samples.append((round(now - start, 3), c))
            if c > 0 and first is None:
                first = (now, c, cpu_ticks(wpid), cpu_ticks(env.redis_pid))
            if c >= n:
                done = (now, c, cpu_ticks(wpid), cpu_ticks(env.redis_pid))
                break
            time.sleep(0.05)
        if not done:
            raise RuntimeError(f"webhook_throughput: only {c} of {n} delivered in 600 s")
        nginx_after = sum(cpu_ticks(x) for x in nginx_pids)
        stats = {}
        for line in pub.r.call("INFO", "commandstats").splitlines():
            if line.startswith("cmdstat_"):
                name, _, rest = line[8:].partition(":")
                kv = dict(x.split("=") for x in rest.split(","))
                stats[name] = {"calls": int(kv["calls"]), "usec": int(kv["usec"]),
                               "usec_per_delivery": round(int(kv["usec"]) / n, 1)}
        failed = int(mm.get('sse_webhook_deliveries_total{result="failed"}', 0))
        retries = int(mm.get("sse_webhook_retries_scheduled_total", 0))
        rss = status_kib(wpid, "VmHWM")
        worker_total = cpu_ticks(wpid)
        env.servers.remove(w)
        w.stop()
        redis_after = done[3]
        rate = (done[1] - first[1]) / (done[0] - first[0])
        # wrk: core 0 (where the worker was), as many connections as the worker's cap to this receiver.
        script = env.dir / "post.lua"
        body_bytes = wrk_script(script, f"127.0.0.1:{env.receiver_port}")
        url = f"https://127.0.0.1:{env.receiver_port}/hook/tp"
        nginx_wrk_before = sum(cpu_ticks(x) for x in nginx_pids)
        out = subprocess.run(h.pinned(h.SERVER_CORE, ["wrk", "-t1", f"-c{m}", f"-d{p['wrk_seconds']}s", "-s",
                                                      str(script), url]),
                             capture_output=True, text=True, timeout=p["wrk_seconds"] + 60)
        (env.dir / "wrk.out").write_text(out.stdout + out.stderr)
        wrk_rps = None
        non2xx = 0
        for line in out.stdout.splitlines():
            if line.startswith("Requests/sec:"):
                wrk_rps = float(line.split()[1])
            if "Non-2xx" in line:
                non2xx = int(line.split()[-1])
        if wrk_rps is None:
            raise RuntimeError(f"wrk printed no rate: {out.stdout} {out.stderr}")
        nginx_wrk = sum(cpu_ticks(x) for x in nginx_pids) - nginx_wrk_before
        wrk_requests = wrk_rps * p["wrk_seconds"]
        return {
            "events": n, "in_flight": m, "delivered": done[1], "failed": failed, "retries": retries,
            "seconds_from_start": round(done[0] - start, 3),
            "deliveries_per_s": round(rate, 1),
            "deliveries_per_s_from_start": round(n / (done[0] - start), 1),
            "wrk_requests_per_s": wrk_rps, "wrk_connections": m, "wrk_non_2xx": non2xx, "body_bytes": body_bytes,
            "ratio_to_wrk": round(rate / wrk_rps, 3),
            "redis_cpu_us_per_delivery": round((redis_after - redis_before) / TICK * 1e6 / n, 1),
            "receiver_cpu_us_per_delivery": round((nginx_after - nginx_before) / TICK * 1e6 / n, 1),
            "receiver_cpu_us_per_wrk_request": round(nginx_wrk / TICK * 1e6 / wrk_requests, 1),
            "worker_cpu_us_per_delivery": round((done[2] - first[2]) / TICK * 1e6 / (done[1] - first[1]), 1),
            "worker_cpu_s_total": round(worker_total / TICK, 2),
            "worker_peak_rss_kib": rss,
            "redis_commandstats": stats,
            "samples": samples,
        }
    finally:
        env.close()


def latency(h, workdir, p):
    env = Env(h, workdir, "webhook_latency")
    try:
        env.files()
        env.start_redis()
        env.start_receiver(log=True)
        env.create_webhooks(["lat"])
        w = env.start_worker()
        pub = env.publisher("lat")
        stop = threading.Event()
        took = pub.paced(p["rate"], p["seconds"], stop)
        n = len(pub.sent)
        end = time.time() + 30
        while time.time() < end and succeeded(metrics(env.worker_port)) < n:
            time.sleep(0.1)
        time.sleep(0.5)  # nginx's log buffer: flushed every 200 ms
        mm = metrics(env.worker_port)
        env.servers.remove(w)
        w.stop()
        arrivals = {}
        for t, eid, status in env.access_log():
            if eid in pub.sent and eid not in arrivals:
                arrivals[eid] = t
        lat = sorted((arrivals[e] - pub.sent[e]) * 1000 for e in arrivals)
        cdf = [[round(v, 3), round((i + 1) / len(lat), 5)] for i, v in enumerate(lat)][:: max(1, len(lat) // 400)]
        return {
            "rate": p["rate"], "published": n, "publish_seconds": round(took, 2),
            "offered_per_s": round(n / took, 1), "received": len(arrivals),
            "succeeded": succeeded(mm),
            "latency_ms": {"p50": pct(lat, 0.5), "p90": pct(lat, 0.9), "p99": pct(lat, 0.99), "max": lat[-1] if lat else None,
                           "count": len(lat)},
            "cdf": cdf,
        }
    finally:
        env.close()


def storm(h, workdir, p):
    env = Env(h, workdir, "webhook_storm")
    stop = threading.Event()
    pub_thread = None
    try:
        env.files()
        env.start_redis()
        env.start_receiver(log=True)
        env.create_webhooks(["storm"], {"maxRetries": 5})
        m = p["in_flight"]
        w = env.start_worker("--max-in-flight", str(m), "--max-in-flight-per-webhook", str(m),
                             "--retry-schedule", STORM_RETRY_SCHEDULE, "--disable-after-failures", "0")
        wpid = w.proc.pid
        pub = env.publisher("storm")
        total = p["before"] + p["outage"] + p["after"]
        marks = []
        result = {}

        def publish():
            try:
                result["seconds"] = pub.paced(p["rate"], total, stop, marks)
            except Exception as e:  # reported below
                result["error"] = repr(e)
        t0 = time.time()
        pub_thread = threading.Thread(target=publish, daemon=True)
        pub_thread.start()
        down_at = t0 + p["before"]
        up_at = down_at + p["outage"]
        # The 503s carry Retry-After: the outage's end (+1 s: the header has whole seconds).
        retry_after = formatdate(up_at + 1, usegmt=True)
        timeline = []
        peak_in_flight, peak_rss = 0, 0
        phase = "before"
        while True:
            now = time.time()
            if phase == "before" and now >= down_at:
                env.reload_receiver(503, retry_after)
                phase = "down"
            elif phase == "down" and now >= up_at:
                env.reload_receiver(200)
                phase = "up"
                up_at = time.time()  # the receiver is back from here (the reload is asynchronous: ms)
            mm = metrics(env.worker_port)
            infl = int(mm.get("sse_webhook_in_flight", 0))
            rss = status_kib(wpid, "VmRSS")
            peak_in_flight, peak_rss = max(peak_in_flight, infl), max(peak_rss, rss)
            c = succeeded(mm)
            failed_attempts = sum(v for k, v in mm.items() if k.startswith("sse_webhook_attempts_total{")
                                  and 'result="success"' not in k)
            timeline.append([round(now - t0, 2), c, int(failed_attempts), infl,
                             int(mm.get("sse_webhook_scheduled_attempts", 0)), rss])
            if phase == "up" and not pub_thread.is_alive() and c >= len(pub.sent):
                break
            if now - up_at > 300:
                break
            time.sleep(0.1)
        pub_thread.join()
        if "error" in result:
            raise RuntimeError("storm publisher: " + result["error"])
        time.sleep(0.5)
        mm = metrics(env.worker_port)
        hwm = status_kib(wpid, "VmHWM")
        env.servers.remove(w)
        w.stop()
        log = env.access_log()
        first_ok = {}
        for t, eid, status in log:
            if status == 200 and eid not in first_ok:
                first_ok[eid] = t
        published = set(pub.sent)
        got = set(first_ok) & published
        # The backlog: every event published before the receiver was back. Drained when the last of
        # them got its 200 (nginx's clock); the rate counts every 200 in that span (live ones too).
        backlog = [e for e, t in pub.sent.items() if t < up_at]
        drain_end = max((first_ok[e] for e in backlog if e in first_ok), default=None)
        drain_s = (drain_end - up_at) if drain_end else None
        drained = sum(1 for t, _, status in log if status == 200 and up_at <= t <= drain_end) if drain_end else None
        return {
            "rate": p["rate"], "outage_s": p["outage"], "in_flight_cap": m, "retry_schedule": STORM_RETRY_SCHEDULE,
            "retry_after": "HTTP-date of the outage's end + 1 s",
            "published": len(published), "published_before_up": len(backlog),
            "delivered_distinct": len(got & published), "missing": len(published - got),
            "deliveries_succeeded": succeeded(mm),
            "failed_deliveries": int(mm.get('sse_webhook_deliveries_total{result="failed"}', 0)),
            "attempts": {k.split('"')[1]: int(v) for k, v in mm.items() if k.startswith("sse_webhook_attempts_total{")},
            "drain_s": round(drain_s, 2) if drain_s is not None else None,
            "drained_deliveries": drained,
            "drain_per_s": round(drained / drain_s, 1) if drain_s else None,
            "peak_in_flight": peak_in_flight, "peak_rss_kib_sampled": peak_rss, "peak_rss_kib": hwm,
            "timeline": timeline, "up_at_s": round(up_at - t0, 2), "down_at_s": round(down_at - t0, 2),
        }
    finally:
        stop.set()
        if pub_thread:
            pub_thread.join(10)
        env.close()


SCENARIOS = {"webhook_throughput": throughput, "webhook_latency": latency, "webhook_storm": storm}


def run(h, names, quick, workdir):
    params = QUICK if quick else FULL
    results = {}
    for name in names:
        h.log(f"{name}")
        results[name] = SCENARIOS[name](h, workdir, params[name])
        results[name]["load_after"] = os.getloadavg()
    return results, {k: params[k] for k in names}
