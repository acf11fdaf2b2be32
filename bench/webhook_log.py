"""bench/run's webhook_log scenario: the delivery log API over one user's records (docs/WEBHOOKS.md, "The delivery log",
6 and 10; docs: /README.md "Benchmark").

The records are made by the real system: a webhook created through the gateway's management API,
events published with the project's event script (EVALSHA, as bench/webhooks.py does), delivered by
one `sse-webhookd` (core 0) to an HTTPS nginx receiver (core 1) that answers 500 to an event id
ending in `f` and 200 to any other, so which event fails is fixed when its id is made here:

- success: 70 % of the records; failed: 20 %; pending: 10 %. Published in rounds of two phases:
  with `maxRetries` 0 (a 500 is final: `failed`), then, after a PATCH, with `maxRetries` 1 and
  `--retry-schedule 86400,…`, where a 500 leaves a `failed` attempt 1 and a `pending` attempt 2 due
  in about a day (jitter 0.2). Each phase is published whole and delivered before the next PATCH
  (`maxRetries` applies to events planned afterwards).
- event i: device `cam-<(7 i) mod 11>` (10 devices; 10 = none) and scene `scene-<i mod 6>` (5 scenes;
  5 = none), each id also in `data` when present; bodies of exactly 1,024 bytes.
- `createdAt` is the plan's Redis `TIME`: no real path back-dates a record, so every record is from
  the seeding (under a minute), and the date-range filter (startDate = the seeding's start, endDate =
  that UTC day) covers them all, the widest (slowest) range.

Then the worker is stopped and the gateway (core 0, `--threads 1`) answers `GET
/api/v1/users/me/webhook/deliveries?limit=100` for every combination of status (any, success,
failed, pending) × deviceId (any, cam-3) × sceneId (any, scene-2) × date range (open, bounded),
on page 1 and on a deep page (900 of 1,000 for 100,000 records): rounds over all 64 requests, one
keep-alive connection from core 1, the time from sending the request to the last body byte. Each
combination's `totalRecords` is checked against the count made here.

Last, Redis bytes per retained record: `MEMORY USAGE … SAMPLES 0` of every `webhook:attempt:*`,
every `webhook:delivery:*` (shared by a delivery's attempts: counted per record), every
`webhook:idx:<user>:*`, and `webhook:due` (pending records only); and `used_memory`'s growth over
the seeding, allocator overhead included, as a cross-check.
"""
import hashlib
import http.client
import json
import os
import random
import socket
import time
import urllib.parse
import uuid

import webhooks

USER = "loguser"
EVENT_TYPE = webhooks.EVENT_TYPE
BODY_BYTES = 1024
DEVICE, SCENE = "cam-3", "scene-2"  # the one device and the one scene filtered on
GOAL_P99_MS = 20.0
RETRY_SCHEDULE = "86400,86400,86400,86400,86400"  # the longest allowed: a retry stays pending
RECORDS_30_DAYS = 30 * 86400 * 10  # 10 events/s for 30 days, one record each

FULL = {"records": 100000, "rounds": 5, "requests": 100, "limit": 100, "deep_page": 900}
QUICK = {"records": 10000, "rounds": 2, "requests": 20, "limit": 100, "deep_page": 90}
SHARES = {"success": 0.7, "failed": 0.2, "pending": 0.1}


def event_id(fail):
    """A random UUID whose last digit is the receiver's rule: `f` gets a 500, anything else a 200."""
    h = uuid.uuid4().hex
    last = "f" if fail else random.choice("0123456789abcde")
    h = h[:31] + last
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def device_of(i):
    d = (7 * i) % 11
    return f"cam-{d}" if d < 10 else ""


def scene_of(i):
    s = i % 6
    return f"scene-{s}" if s < 5 else ""


def data_of(i, eid, device, scene):
    """The event's data: padded so that the body ({"id","type","timestamp","data"}) is BODY_BYTES."""
    d = {"ruleId": f"rule-{i % 37}", "alertEventId": f"ae-{i}"}
    if device:
        d["deviceId"] = device
    if scene:
        d["sceneId"] = scene
    d.update({"severity": "warning", "threshold": 10, "actualValue": 15, "message": "",
              "snapshotUrls": [f"https://storage.example.com/snapshots/{eid}.jpg"]})
    head = '{"id":"' + eid + '","type":"' + EVENT_TYPE + '","timestamp":"2026-01-29T10:30:00.000Z","data":'
    bare = len(head) + len(json.dumps(d, separators=(",", ":"))) + 1
    d["message"] = "queue over threshold " + "x" * (BODY_BYTES - bare - 21)
    return json.dumps(d, separators=(",", ":"))


class Plan:
    """Every event to publish, per round and phase, and the records it will leave."""

    def __init__(self, records, rounds):
        succ = round(records * SHARES["success"])
        pend = round(records * SHARES["pending"])
        final_failed = records - succ - 2 * pend  # failed with maxRetries 0; each pending one adds a failed one
        self.phases = []  # [(maxRetries, [(eid, fail, device, scene, i)])]
        self.records = []  # (status, device, scene) per record
        i = 0
        for r in range(rounds):
            def share(n):
                return n // rounds + (1 if r < n % rounds else 0)
            s_all = share(succ)
            for max_retries, n_ok, n_fail in ((0, s_all // 2, share(final_failed)),
                                              (1, s_all - s_all // 2, share(pend))):
                kinds = [False] * n_ok + [True] * n_fail
                random.shuffle(kinds)
                events = []
                for fail in kinds:
                    dev, sc = device_of(i), scene_of(i)
                    events.append((event_id(fail), fail, dev, sc, i))
                    i += 1
                    if not fail:
                        self.records.append(("success", dev, sc))
                    else:
                        self.records.append(("failed", dev, sc))
                        if max_retries:
                            self.records.append(("pending", dev, sc))
                self.phases.append((max_retries, events))
        self.events = i

    def expected(self, status, device, scene):
        return sum(1 for s, d, c in self.records
                   if (not status or s == status) and (not device or d == device) and (not scene or c == scene))


def api(port, key, method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def attempts(port):
    return int(sum(v for k, v in webhooks.metrics(port).items() if k.startswith("sse_webhook_attempts_total{")))


def publish_phase(pub, events, batch=500):
    for start in range(0, len(events), batch):
        cmds = []
        for eid, _, dev, sc, i in events[start:start + batch]:
            cmds.append(["EVALSHA", pub.sha, "2", "webhook:events", f"webhook:evtid:{USER}:{eid}", eid, EVENT_TYPE,
                         USER, dev, sc, "", data_of(i, eid, dev, sc).encode(), "10000000"])
        for reply in pub.r.pipeline(cmds):
            pub.check(reply)


def seed(h, env, plan, gw_port, key):
    """Publishes the plan phase by phase; returns the seconds it took."""
    w = env.start_worker("--max-in-flight", "256", "--max-in-flight-per-webhook", "256",
                         "--retry-schedule", RETRY_SCHEDULE, "--disable-after-failures", "0", "--disable-after", "0")
    pub = env.publisher(USER)
    t0 = time.time()
    done = 0
    current = 0
    for max_retries, events in plan.phases:
        if max_retries != current:
            status, text = api(gw_port, key, "PATCH", "/api/v1/users/me/webhook", {"maxRetries": max_retries})
            if status != 200:
                raise RuntimeError(f"webhook_log: PATCH maxRetries {max_retries}: HTTP {status} {text[:200]}")
            current = max_retries
        publish_phase(pub, events)
        done += len(events)
        # Every event of this phase planned and attempted once before maxRetries changes again.
        end = time.time() + 300
        while attempts(env.worker_port) < done:
            if time.time() > end:
                raise RuntimeError(f"webhook_log: {attempts(env.worker_port)} of {done} attempted after 300 s")
            time.sleep(0.05)
    seconds = time.time() - t0
    mm = webhooks.metrics(env.worker_port)
    env.servers.remove(w)
    w.stop()
    pub.r.close()
    return seconds, {k.split('"')[1]: int(v) for k, v in mm.items() if k.startswith("sse_webhook_attempts_total{")}


def combinations(start_iso, end_date):
    out = []
    for status in ("", "success", "failed", "pending"):
        for device in ("", DEVICE):
            for scene in ("", SCENE):
                for dated in (False, True):
                    out.append({"status": status, "deviceId": device, "sceneId": scene,
                                "dates": (start_iso, end_date) if dated else None})
    return out


def query(c, page, limit):
    q = [("page", str(page)), ("limit", str(limit))]
    for k in ("status", "deviceId", "sceneId"):
        if c[k]:
            q.append((k, c[k]))
    if c["dates"]:
        q += [("startDate", c["dates"][0]), ("endDate", c["dates"][1])]
    return "/api/v1/users/me/webhook/deliveries?" + urllib.parse.urlencode(q)


def label(c):
    return (f'{c["status"] or "any"} / {c["deviceId"] or "any"} / {c["sceneId"] or "any"} / '
            f'{"start+end" if c["dates"] else "open"}')


class Client:
    """One keep-alive connection; reopened (and counted) if the server closes it."""

    def __init__(self, port, key):
        self.port, self.key = port, key
        self.conn, self.reconnects = None, -1

    def get(self, path):
        for _ in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.conn.connect()
                self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.reconnects += 1
            try:
                t = time.perf_counter()
                self.conn.request("GET", path, headers={"Authorization": f"Bearer {self.key}"})
                r = self.conn.getresponse()
                body = r.read()
                ms = (time.perf_counter() - t) * 1000
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, body, ms
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
        raise RuntimeError(f"webhook_log: GET {path} failed twice")

    def close(self):
        if self.conn:
            self.conn.close()


def measure(port, key, plan, p, start_iso, end_date):
    combos = combinations(start_iso, end_date)
    pages = (1, p["deep_page"])
    cases = [(c, page) for c in combos for page in pages]
    client = Client(port, key)
    info = []
    try:
        # One unmeasured round: checks every answer and reads its totals.
        for c, page in cases:
            status, body, _ = client.get(query(c, page, p["limit"]))
            if status != 200:
                raise RuntimeError(f"webhook_log: {query(c, page, p['limit'])}: HTTP {status} {body[:300]!r}")
            doc = json.loads(body)
            info.append({"total": doc["pagination"]["totalRecords"], "rows": len(doc["data"]), "bytes": len(body)})
        times = [[] for _ in cases]
        for _ in range(p["requests"]):
            for k, (c, page) in enumerate(cases):
                status, body, ms = client.get(query(c, page, p["limit"]))
                if status != 200:
                    raise RuntimeError(f"webhook_log: {query(c, page, p['limit'])}: HTTP {status}")
                times[k].append(ms)
    finally:
        client.close()
    rows = []
    for (c, page), inf, ts in zip(cases, info, times):
        ts.sort()
        expected = plan.expected(c["status"], c["deviceId"], c["sceneId"])
        rows.append({"status": c["status"] or "any", "deviceId": c["deviceId"] or "any",
                     "sceneId": c["sceneId"] or "any", "dates": "start+end" if c["dates"] else "open",
                     "page": page, "totalRecords": inf["total"], "expected": expected, "rows": inf["rows"],
                     "response_bytes": inf["bytes"],
                     "ms": {"p50": round(webhooks.pct(ts, 0.5), 3), "p99": round(webhooks.pct(ts, 0.99), 3),
                            "max": round(ts[-1], 3), "count": len(ts)}})
    return rows, client.reconnects


def scan(r, pattern):
    keys, cursor = [], "0"
    while True:
        cursor, batch = r.call("SCAN", cursor, "MATCH", pattern, "COUNT", "1000")
        keys += batch
        if cursor == "0":
            return keys


def memory_total(r, keys, batch=1000):
    total = 0
    for start in range(0, len(keys), batch):
        for v in r.pipeline([["MEMORY", "USAGE", k, "SAMPLES", "0"] for k in keys[start:start + batch]]):
            total += v or 0
    return total


def attempt_memory(r, keys, batch=500):
    """MEMORY USAGE of each attempt hash, summed per status, and how many are listpacks."""
    by_status, listpacks = {}, 0
    for start in range(0, len(keys), batch):
        cmds = []
        for k in keys[start:start + batch]:
            cmds += [["MEMORY", "USAGE", k, "SAMPLES", "0"], ["HGET", k, "status"], ["OBJECT", "ENCODING", k]]
        replies = r.pipeline(cmds)
        for j in range(0, len(replies), 3):
            n, total = by_status.get(replies[j + 1], (0, 0))
            by_status[replies[j + 1]] = (n + 1, total + (replies[j] or 0))
            listpacks += replies[j + 2] == "listpack"
    return by_status, listpacks


def listpack_share(r, keys):
    return sum(e == "listpack" for e in r.pipeline([["OBJECT", "ENCODING", k] for k in keys]))


def used_memory(r):
    for line in r.call("INFO", "memory").splitlines():
        if line.startswith("used_memory:"):
            return int(line.split(":")[1])
    return 0


def memory(r, records):
    attempt_keys = scan(r, "webhook:attempt:*")
    delivery_keys = scan(r, "webhook:delivery:*")
    index_keys = scan(r, f"webhook:idx:{USER}:*")
    by_status, attempt_listpacks = attempt_memory(r, attempt_keys)
    a = sum(total for _, total in by_status.values())
    d = memory_total(r, delivery_keys)
    i = memory_total(r, index_keys)
    due = memory_total(r, ["webhook:due"])
    # Not retained with the records: the duplicate guards live 24 h, the stream is trimmed.
    guards = scan(r, "webhook:evtid:*")
    guard_bytes = memory_total(r, guards)
    stream_bytes = memory_total(r, ["webhook:events"])
    n = len(attempt_keys)
    per = (a + d + i) / n
    sample = r.call("HGET", delivery_keys[0], "payload") if delivery_keys else ""
    return {
        "attempt_keys": n, "delivery_keys": len(delivery_keys), "index_keys": len(index_keys),
        "records_planned": records, "payload_bytes": len(sample.encode()) if sample else None,
        "attempt_bytes_by_status": {s: round(total / k, 1) for s, (k, total) in sorted(by_status.items())},
        # A hash stays a compact listpack only while every value is ≤ hash-max-listpack-value (64 bytes).
        "attempt_listpacks": attempt_listpacks,
        "delivery_listpacks_of_first_1000": listpack_share(r, delivery_keys[:1000]),
        "attempt_bytes_per_record": round(a / n, 1), "delivery_bytes_per_record": round(d / n, 1),
        "index_bytes_per_record": round(i / n, 1), "due_set_bytes": due,
        "evtid_keys": len(guards), "evtid_bytes": guard_bytes, "stream_bytes": stream_bytes,
        "bytes_per_record": round(per, 1),
        "gib_30_days_10_per_s": round(per * RECORDS_30_DAYS / 2 ** 30, 2),
    }


def scenario(h, workdir, p):
    env = webhooks.Env(h, workdir, "webhook_log")
    try:
        env.files()
        env.start_redis()
        # The receiver's rule: an event id ending in f gets a 500, any other a 200.
        plain_conf = env.receiver_conf

        def conf_with_rule(status, retry_after=None, log=False):
            plain_conf(status, retry_after, log)
            path = env.prefix / "nginx.conf"
            text = path.read_text()
            rule = 'if ($http_webhook_id ~ "f$") { return 500; } return 200;'
            if f"return {status};" not in text:
                raise RuntimeError("webhook_log: the receiver's configuration has no return to replace")
            path.write_text(text.replace(f"return {status};", rule, 1))
        env.receiver_conf = conf_with_rule
        env.start_receiver(log=False)
        r = webhooks.Resp(env.redis_port)
        key = f"sk_bench_log_{uuid.uuid4().hex}"
        r.call("HSET", "apikey:" + hashlib.sha256(key.encode()).hexdigest(), "userId", USER,
               "scopes", "webhook:read webhook:write")
        gw_port = h.free_port()
        gw = env.add(h.Server("gateway", [str(h.BIN / "sse-gateway"), "--listen", f"127.0.0.1:{gw_port}", "--redis",
                                          env.redis_url, "--threads", "1", "--log-level", "warn",
                                          *env.webhook_flags()], gw_port, env.dir, core=h.SERVER_CORE, wait=120.0))
        status, text = api(gw_port, key, "POST", "/api/v1/users/me/webhook",
                           {"url": f"https://127.0.0.1:{env.receiver_port}/hook/{USER}", "name": "bench log",
                            "subscribedTypes": [EVENT_TYPE], "maxRetries": 0})
        if status != 201:
            raise RuntimeError(f"webhook_log: POST webhook: HTTP {status} {text[:300]!r}")
        status, text = api(gw_port, key, "GET", "/api/v1/users/me/webhook/deliveries?limit=1")
        if status != 200:
            raise RuntimeError(f"webhook_log: no delivery log API in this sse-gateway (GET …/deliveries: {status})")

        plan = Plan(p["records"], p["rounds"])
        mem_before = used_memory(r)
        start = time.time()
        start_iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start - 1))
        h.log(f"webhook_log: seeding {len(plan.records):,} records ({plan.events:,} events)")
        seed_s, attempt_results = seed(h, env, plan, gw_port, key)
        h.log(f"webhook_log: seeded in {seed_s:.1f} s")
        mem_after = used_memory(r)
        end_date = time.strftime("%Y-%m-%d", time.gmtime())

        # The client shares core 1 with Redis, as sse-bench does in the other scenarios.
        affinity = os.sched_getaffinity(0)
        if (os.cpu_count() or 1) >= 2:
            os.sched_setaffinity(0, {int(h.LOAD_CORE)})
        try:
            t = time.time()
            gw_ticks, redis_ticks = webhooks.cpu_ticks(gw.proc.pid), webhooks.cpu_ticks(env.redis_pid)
            rows, reconnects = measure(gw_port, key, plan, p, start_iso, end_date)
            gw_ticks = webhooks.cpu_ticks(gw.proc.pid) - gw_ticks
            redis_ticks = webhooks.cpu_ticks(env.redis_pid) - redis_ticks
            measure_s = time.time() - t
        finally:
            os.sched_setaffinity(0, affinity)
        requests = len(rows) * (p["requests"] + 1)
        h.log(f"webhook_log: {len(rows)} cases × {p['requests']} requests in {measure_s:.1f} s")
        # The index's own count of each status, beside the API's (a check that needs no API).
        index_counts = {s: r.call("ZCARD", f"webhook:idx:{USER}:{s}:*:*") for s in SHARES}
        mem = memory(r, len(plan.records))
        # used_memory's growth without the duplicate guards and the stream: the retained keys with
        # the allocator's and the keyspace's overhead.
        growth = mem_after - mem_before - mem["evtid_bytes"] - mem["stream_bytes"]
        mem["used_memory_growth_per_record"] = round(growth / len(plan.records), 1)
        mem["gib_30_days_10_per_s_used_memory"] = round(growth / len(plan.records) * RECORDS_30_DAYS / 2 ** 30, 2)
        r.close()
        worst = max(rows, key=lambda x: x["ms"]["p99"])
        counts = {s: sum(1 for x in plan.records if x[0] == s) for s in SHARES}
        return {
            "records": len(plan.records), "events": plan.events, "statuses": counts,
            "attempt_results": attempt_results, "seed_seconds": round(seed_s, 1),
            "seed_records_per_s": round(len(plan.records) / seed_s, 1),
            "limit": p["limit"], "deep_page": p["deep_page"], "requests_per_case": p["requests"],
            "measure_seconds": round(measure_s, 1), "reconnects": reconnects, "index_counts": index_counts,
            "gateway_cpu_us_per_request": round(gw_ticks / webhooks.TICK * 1e6 / requests),
            "redis_cpu_us_per_request": round(redis_ticks / webhooks.TICK * 1e6 / requests),
            "device": DEVICE, "scene": SCENE, "start_date": start_iso, "end_date": end_date,
            "cases": rows,
            "worst_p99_ms": worst["ms"]["p99"], "worst_case": worst,
            "goal_p99_ms": GOAL_P99_MS, "totals_match": all(x["totalRecords"] == x["expected"] for x in rows),
            "memory": mem,
        }
    finally:
        env.close()


SCENARIOS = {"webhook_log": scenario}


def run(h, quick, workdir):
    p = QUICK if quick else FULL
    h.log("webhook_log")
    result = scenario(h, workdir, p)
    result["load_after"] = os.getloadavg()
    return {"webhook_log": result}, {"webhook_log": p}
