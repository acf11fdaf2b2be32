"""bench/run --scale: how the cost of one instance grows with its streams (issue 13, per instance).

One sse-gateway (`--threads 1`) and one nginx+nchan worker, each pinned to core 0 in turn, hold
5,000, 10,000 and 18,000 streams of one device (500, 1,000 and 2,000 with --quick), opened by
one sse-bench on core 1 (Redis on core 1 too). The top step is what one process reaches under the
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
import os
import resource
import time

STEPS_FULL = [5000, 10000, 18000]
STEPS_QUICK = [500, 1000, 2000]
FULL = {"steps": STEPS_FULL, "settle_s": 5, "duration_s": 10, "drain_s": 5, "ramp": 100000, "rate": 1}
QUICK = {"steps": STEPS_QUICK, "settle_s": 1, "duration_s": 3, "drain_s": 3, "ramp": 100000, "rate": 1}
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
                f" --duration {p['duration_s']} --drain {p['drain_s']} --settle {p['settle_s']}")
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
