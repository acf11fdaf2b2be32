"""bench/run --scale: how the cost of one instance grows with its streams (per instance).

One sse-gateway (`--threads 1`) and one nginx+nchan worker, each pinned to core 0 in turn, hold
5,000, 10,000 and 18,000 streams of one device (500, 1,000 and 2,000 with --quick), opened by
one sse-bench on core 1 (Redis on core 1 too), its streams spread over the source addresses
127.0.0.2-127.0.0.5 (two with --quick; `--bind`). The top step is what one process reaches under the
20,000-descriptor hard limit of our machines. Each step starts a fresh server, then one sse-bench
run measures, as for every target:

- connect rate: streams opened per second while opening them (sse-bench's `connect_rate`, with a
  ramp high enough that its 512 opens in flight, not the ramp, set the pace);
- RSS per idle stream: the server process(es)' VmRSS after the settle time minus before the
  opens, over the streams open (nginx: master + worker);
- kernel memory per stream: `Slab` and `SUnreclaim` of /proc/meminfo read here just before
  sse-bench starts and by its `--on-ready` hook once the streams are open and settled (plus the
  TCP pages of /proc/net/sockstat). Both ends of every stream are on this box, so the figure
  holds the client's socket as well as the server's; and the reading is machine-wide, so other
  work on the box moves it (the load average goes in the report);
- broadcast: 1 result/s to every stream for the duration: server CPU seconds per delivery,
  publish-to-receive latency p50/p99/max, missing and duplicated deliveries.

A step whose streams do not fit the descriptor limit (sse-bench holds one socket per stream, the
server one per stream too) is skipped and said so, never run short.
"""
import json
import os
import resource
import signal
import subprocess
import time

import webhooks  # bench/webhooks.py: /proc readers

STEPS_FULL = [5000, 10000, 18000]
STEPS_QUICK = [500, 1000, 2000]
# The client's source addresses (sse-bench --bind, round-robin per stream). From one address to one
# server port, past about half of the ~28,000 ephemeral ports Linux's connect() searches for a free
# one: the first full run (one address) saw both servers' connect rate fall from 7,000-12,000/s to
# about 2,300/s at 18,000 streams; with these four (each under 4,500 ports) the gateway opened
# 18,000 at 12,338/s against 3,530/s from one address, minutes apart.
SOURCES = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]
FULL = {"steps": STEPS_FULL, "settle_s": 5, "duration_s": 10, "drain_s": 5, "ramp": 100000, "rate": 1,
        "sources": SOURCES}
QUICK = {"steps": STEPS_QUICK, "settle_s": 1, "duration_s": 3, "drain_s": 3, "ramp": 100000, "rate": 1,
         "sources": SOURCES[:2]}
TARGETS = ("gateway", "nchan")
SPARE_FDS = 64  # sse-bench's own descriptors besides its streams (Redis, publisher, stdio, epoll)


def kernel_memory(text):
    """Slab, SUnreclaim, SReclaimable (KiB) from /proc/meminfo text and TCP pages from /proc/net/sockstat."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("Slab:", "SUnreclaim:", "SReclaimable:"):
            out[parts[0][:-1].lower() + "_kib"] = int(parts[1])
        if parts and parts[0] == "TCP:" and "mem" in parts:
            out["tcp_mem_pages"] = int(parts[parts.index("mem") + 1])
    return out


def read_kernel_memory():
    with open("/proc/meminfo") as m, open("/proc/net/sockstat") as s:
        return kernel_memory(m.read() + s.read())


def fitting_steps(steps, log):
    """The steps whose streams fit the hard descriptor limit (bench/run raised the soft one to it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    fit = [n for n in steps if n + SPARE_FDS <= hard]
    for n in steps:
        if n not in fit:
            log(f"scale: {n:,} streams do not fit the descriptor limit {hard:,} (sse-bench needs about "
                f"{n + SPARE_FDS:,}, one per stream plus its own): that step is skipped. Raise `ulimit -Hn`.")
    return fit, {"soft": soft, "hard": hard}


def one_step(h, kind, n, p, workdir, redis_url):
    """One fresh server, one sse-bench run: the step's figures for this target."""
    h.redis_cli(redis_url, "FLUSHALL")
    h.log(f"scale: {n:,} streams on {kind}")
    server = h.start_target(kind, workdir, redis_url)
    try:
        after_file = workdir / f"scale-{kind}-{n}.kmem"
        args = (f"--streams {n} --devices 1 --users 1 --all-ratio 0 --ramp {p['ramp']} --rate {p['rate']}"
                f" --duration {p['duration_s']} --drain {p['drain_s']} --settle {p['settle_s']}"
                + (f" --bind {','.join(p['sources'])}" if p["sources"] else ""))
        before = read_kernel_memory()
        rep = h.bench(kind, server, redis_url, args, workdir, f"scale{n}",
                      extra=["--on-ready", f"cat /proc/meminfo /proc/net/sockstat > {after_file}"])
        after = kernel_memory(after_file.read_text())
    finally:
        server.stop()
    rep.pop("cdf", None)
    return summarize(rep, before, after)


def summarize(rep, before, after):
    st = rep["streams"]
    step = rep["steps"][0]
    open_ = st["open"] or 1
    lat = step["latency_ms"]
    kernel = {k: round((after[k] - before[k]) * 1024 / open_) for k in ("slab_kib", "sunreclaim_kib")
              if k in after and k in before}
    row = {
        "streams": st["wanted"], "open": st["open"], "failed": st["failed"],
        "connect_rate": st["connect_rate"], "connect_s": st["connect_s"],
        "rss_per_stream_bytes": rep.get("memory", {}).get("per_stream_bytes"),
        "rss_before_kib": rep.get("memory", {}).get("rss_before_kib"),
        "rss_open_kib": rep.get("memory", {}).get("rss_open_kib"),
        "slab_per_stream_bytes": kernel.get("slab_kib"),
        "sunreclaim_per_stream_bytes": kernel.get("sunreclaim_kib"),
        "tcp_mem_pages_per_stream": (round((after["tcp_mem_pages"] - before["tcp_mem_pages"]) / open_, 3)
                                     if "tcp_mem_pages" in after and "tcp_mem_pages" in before else None),
        "kernel_before": before, "kernel_open": after,
        "published": step["published"], "expected": step["expected"], "received": step["received"],
        "missing": step["missing"], "duplicated": step["duplicated"],
        "deliveries_per_s": step["deliveries_per_s"],
        "server_cpu_s": step.get("server_cpu_s"),
        "cpu_us_per_delivery": (round(step["server_cpu_s"] / step["received"] * 1e6, 3)
                                if step.get("server_cpu_s") is not None and step["received"] else None),
        "client_cpu_util": step["client_cpu_util"],
        "latency_ms": {k: lat[k] for k in ("p50", "p99", "max")},
        "open_at_end": st.get("open_at_end"),
        "errors": rep.get("errors", []),
    }
    return row


def run(h, quick, workdir, targets=TARGETS):
    """{target: [row per step]}, the parameters, and the descriptor limits."""
    p = dict(QUICK if quick else FULL)
    if p["sources"]:
        usage = subprocess.run([str(h.BENCH_BIN / "sse-bench"), "--help"], capture_output=True, text=True).stdout
        if "--bind" not in usage:
            raise RuntimeError(f"{h.BENCH_BIN}/sse-bench has no --bind: rebuild it (bench/run without --no-build, "
                               "or SSEGW_BENCH_BIN_DIR=<a build with it>/bin)")
    steps, limits = fitting_steps(p["steps"], h.log)
    p["skipped_steps"] = [n for n in p["steps"] if n not in steps]
    results = {k: [] for k in TARGETS if k in targets}
    redis, redis_url = h.start_redis(workdir)
    try:
        for n in steps:
            for kind in results:
                results[kind].append(one_step(h, kind, n, p, workdir, redis_url))
                time.sleep(1)  # the closed streams' sockets leave the kernel's books before the next reading
    finally:
        redis.stop()
    p["load_after"] = os.getloadavg()
    return results, p, limits


# ---------------------------------------------------------------------------------------------
# On the box (the multi-instance part): several instances on one Redis, several sse-bench
# load processes, each over its own loopback source addresses. Run with `bench/run --scale-box`.
# Not finished: the spread scenario (10,000 devices at 2,000 results/s) and Redis's per-instance
# work (leases, keepalive) are not measured yet.

# broadcast: 1 result/s to every stream (each load process publishes to its own device);
# spread: the streams over spread_devices devices (a tenth as many users), spread_rate results/s in
# all, each process taking its share of both. idle_s: Redis's and the servers' CPU with every
# stream open and nothing published (leases, keepalives).
BOX_FULL = {"steps": [25000, 50000, 100000], "per_instance": 17000, "settle_s": 5, "idle_s": 5, "duration_s": 10,
            "drain_s": 5, "ramp": 100000, "rate": 1, "spread_devices": 10000, "spread_rate": 2000}
BOX_QUICK = {"steps": [2000, 4000, 6000], "per_instance": 1000, "settle_s": 1, "idle_s": 1, "duration_s": 3,
             "drain_s": 3, "ramp": 100000, "rate": 1, "spread_devices": 1000, "spread_rate": 500}
BOX_SCENARIOS = ("broadcast", "spread")
BARRIER_S = 300  # how long a waiting sse-bench hook waits for the others before it goes on alone


def proc_sample(pids):
    """CPU seconds and VmRSS (KiB) of these processes, summed, from /proc."""
    cpu, rss = 0.0, 0
    for pid in pids:
        try:
            cpu += webhooks.cpu_ticks(pid) / webhooks.TICK
            rss += webhooks.status_kib(pid, "VmRSS")
        except (OSError, IndexError, ValueError):
            pass
    return cpu, rss


def redis_used_memory(redis_url):
    port = redis_url.rsplit(":", 1)[1]
    out = subprocess.run(["redis-cli", "-p", port, "INFO", "memory"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("used_memory:"):
            return int(line.split(":")[1])
    return None


def merged_quantiles(cdfs, qs=(0.5, 0.99)):
    """Quantiles of the union of several latency CDFs [(weight, [(ms, fraction), ...])]."""
    total = sum(w for w, pts in cdfs if pts)
    xs = sorted({x for _, pts in cdfs for x, _ in pts})
    out = {}
    for q in qs:
        for x in xs:
            # Each CDF's fraction at x: the last point at or below x.
            mass = sum(w * max((f for px, f in pts if px <= x), default=0.0) for w, pts in cdfs if pts)
            if total and mass / total >= q:
                out[q] = x
                break
    return out


def barrier(path, name):
    """A shell command for --on-ready/--on-done: say so, then wait for `go` (at most BARRIER_S)."""
    return (f"touch {path}/{name} && i=0; while [ ! -e {path}/go-{name.split('.')[0]} ] && [ $i -lt "
            f"{BARRIER_S * 20} ]; do sleep 0.05; i=$((i+1)); done")


def wait_all(path, names, procs, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if all((path / n).exists() for n in names):
            return
        dead = [p for p in procs if p.poll() is not None]
        if dead:
            raise RuntimeError(f"an sse-bench exited with {dead[0].returncode} before the others were ready")
        time.sleep(0.05)
    raise RuntimeError(f"not every sse-bench reached {names[0].split('.')[0]} in {timeout} s")


def load_args(scenario, streams, k, p):
    """One load process's share of the scenario."""
    if scenario == "broadcast":
        return f"--streams {streams} --devices 1 --users 1 --all-ratio 0 --rate {p['rate']}"
    devices = max(1, p["spread_devices"] // k)
    return (f"--streams {streams} --devices {devices} --users {max(1, devices // 10)} --all-ratio 0"
            f" --rate {p['spread_rate'] / k:g}")


def box_step(h, kind, n, p, workdir, redis, redis_url, scenario="broadcast"):
    """n streams over ceil(n / per_instance) gateways (or nginx workers) and as many sse-bench."""
    k = -(-n // p["per_instance"])
    share = [n // k + (1 if i < n % k else 0) for i in range(k)]
    h.redis_cli(redis_url, "FLUSHALL")
    h.log(f"scale box: {scenario}, {n:,} streams on {k} {kind} instance(s)")
    step_dir = workdir / f"box-{scenario}-{kind}-{n}"
    step_dir.mkdir()
    servers, benches = [], []
    try:
        if kind == "gateway":
            servers = [h.start_target(kind, workdir, redis_url, name=f"gateway{i}") for i in range(k)]
        else:
            servers = [h.start_target(kind, workdir, redis_url, workers=k)]
        server_pids = [pid for s in servers for pid in s.pids()]
        cpu0, rss0 = proc_sample(server_pids)
        rcpu0, rrss0 = proc_sample([redis.proc.pid])
        rmem0 = redis_used_memory(redis_url)
        kmem0 = read_kernel_memory()
        t_open = time.time()
        for i in range(k):
            server = servers[i] if kind == "gateway" else servers[0]
            # Two source addresses per process: each keeps under half the ephemeral ports.
            sources = f"127.0.{1 + i}.2,127.0.{1 + i}.3"
            args = (load_args(scenario, share[i], k, p) + f" --ramp {p['ramp']} --duration {p['duration_s']}"
                    f" --drain {p['drain_s']} --settle {p['settle_s']} --bind {sources}")
            name = f"box{n}x{i}"
            out = step_dir / f"{name}.json"
            argv = [str(h.BENCH_BIN / "sse-bench"), "--target", kind, "--port", str(server.port),
                    "--redis", redis_url, "--prefix", name, "--label", name, "--out", str(out),
                    "--cdf-out", str(step_dir / f"{name}.cdf"),
                    "--on-ready", barrier(step_dir, f"ready.{i}"), "--on-done", barrier(step_dir, f"done.{i}")]
            argv += args.split()
            err = open(step_dir / f"{name}.stderr", "wb")
            # A session of its own: stopping it also stops the shell of a hook it is waiting in.
            benches.append(subprocess.Popen(h.pinned(h.LOAD_CORE, argv), stdout=subprocess.DEVNULL, stderr=err,
                                            start_new_session=True))
            err.close()
        wait_all(step_dir, [f"ready.{i}" for i in range(k)], benches, 120 + p["settle_s"])
        all_open_s = time.time() - t_open
        kmem1 = read_kernel_memory()
        cpu_open, rss1 = proc_sample(server_pids)
        rcpu_open, rrss1 = proc_sample([redis.proc.pid])
        rmem1 = redis_used_memory(redis_url)
        time.sleep(p["idle_s"])  # every stream open, nothing published
        cpu_idle, _ = proc_sample(server_pids)
        rcpu_idle, _ = proc_sample([redis.proc.pid])
        (step_dir / "go-ready").touch()
        wait_all(step_dir, [f"done.{i}" for i in range(k)], benches, p["duration_s"] + p["drain_s"] + 60)
        cpu2, _ = proc_sample(server_pids)
        rcpu2, _ = proc_sample([redis.proc.pid])
        (step_dir / "go-done").touch()
        for b in benches:
            if b.wait(120) != 0:
                raise RuntimeError(f"an sse-bench exited with {b.returncode}; see {step_dir}")
        reports = [json.loads((step_dir / f"box{n}x{i}.json").read_text()) for i in range(k)]
        cdfs = []
        for i, r in enumerate(reports):
            text = (step_dir / f"box{n}x{i}.cdf").read_text()
            pts = [tuple(map(float, line.split())) for line in text.splitlines() if line.strip()]
            cdfs.append((r["steps"][0]["received"], pts))
    finally:
        for b in benches:
            try:
                os.killpg(b.pid, signal.SIGKILL)  # sse-bench and any hook shell of it still waiting
            except ProcessLookupError:
                pass
            b.wait()
        for s in servers:
            s.stop()
    opened = sum(r["streams"]["open"] for r in reports)
    received = sum(r["steps"][0]["received"] for r in reports)
    q = merged_quantiles(cdfs)
    per = lambda a, b: round((a - b) * 1024 / opened) if opened else None  # noqa: E731 (KiB -> bytes/stream)
    return {
        "scenario": scenario, "streams": n, "instances": k, "open": opened,
        "failed": sum(r["streams"]["failed"] for r in reports),
        # Opened per second: all streams over the time until the slowest process had all its streams.
        "connect_rate": round(opened / max(r["streams"]["connect_s"] for r in reports), 1),
        "all_ready_s": round(all_open_s, 3),
        "rss_per_stream_bytes": per(rss1, rss0),
        "rss_servers_kib": rss1, "rss_redis_kib": rrss1,
        "redis_used_memory_per_stream_bytes": round((rmem1 - rmem0) / opened, 1) if opened and rmem0 else None,
        "slab_per_stream_bytes": per(kmem1["slab_kib"], kmem0["slab_kib"]),
        "sunreclaim_per_stream_bytes": per(kmem1["sunreclaim_kib"], kmem0["sunreclaim_kib"]),
        "expected": sum(r["steps"][0]["expected"] for r in reports), "received": received,
        "missing": sum(r["steps"][0]["missing"] for r in reports),
        "duplicated": sum(r["steps"][0]["duplicated"] for r in reports),
        "deliveries_per_s": round(sum(r["steps"][0]["deliveries_per_s"] for r in reports), 1),
        "server_cpu_s": round(cpu2 - cpu_idle, 3),
        "cpu_us_per_delivery": round((cpu2 - cpu_idle) / received * 1e6, 3) if received else None,
        "redis_cpu_s_opening": round(rcpu_open - rcpu0, 3),
        "server_cpu_ms_per_s_idle": round((cpu_idle - cpu_open) / p["idle_s"] * 1000, 1) if p["idle_s"] else None,
        "redis_cpu_ms_per_s_idle": round((rcpu_idle - rcpu_open) / p["idle_s"] * 1000, 1) if p["idle_s"] else None,
        "redis_cpu_s_publishing": round(rcpu2 - rcpu_idle, 3),
        "redis_cpu_share": round((rcpu2 - rcpu_idle) / (cpu2 - cpu_idle), 3) if cpu2 > cpu_idle else None,
        "latency_ms": {"p50": q.get(0.5), "p99": q.get(0.99),
                       "max": max(r["steps"][0]["latency_ms"]["max"] for r in reports)},
        "errors": [e for r in reports for e in r.get("errors", [])][:5],
    }


def run_box(h, quick, workdir, targets=TARGETS):
    p = dict(BOX_QUICK if quick else BOX_FULL)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if p["per_instance"] + SPARE_FDS > hard:
        raise RuntimeError(f"{p['per_instance']:,} streams per instance do not fit the descriptor limit {hard:,}")
    results = {sc: {k: [] for k in TARGETS if k in targets} for sc in BOX_SCENARIOS}
    redis, redis_url = h.start_redis(workdir)
    try:
        for n in p["steps"]:
            for sc in BOX_SCENARIOS:
                for kind in results[sc]:
                    results[sc][kind].append(box_step(h, kind, n, p, workdir, redis, redis_url, sc))
                    time.sleep(1)
    finally:
        redis.stop()
    p["load_after"] = os.getloadavg()
    return results, p, {"soft": soft, "hard": hard}
