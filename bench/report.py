"""bench/run's report: the Markdown table (gateway, nchan, ratio, baseline), gnuplot PNGs, README."""
import pathlib
import re
import subprocess

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def step(results, target, scenario, k=0):
    try:
        return results[target][scenario]["steps"][k]
    except (KeyError, IndexError):
        return None


def saturation(results, target):
    """The highest sustained deliveries/s, its cost, and which side ran out of CPU first."""
    try:
        steps = results[target]["saturation"]["steps"]
    except KeyError:
        return None
    ok = [s for s in steps if s["sustained"]]
    best = max(ok, key=lambda s: s["deliveries_per_s"]) if ok else None
    top = steps[-1]
    side = []
    if top.get("server_cpu_util", 0) >= 0.9:
        side.append("server")
    if top.get("client_cpu_util", 0) >= 0.9:
        side.append("client")
    return {"best": best, "top": top, "saturated": "+".join(side) or "neither (latency)",
            "all_sustained": len(ok) == len(steps)}


def figures(doc):
    """Rows of (figure, {target: value}, goal text, lower_is_better)."""
    r = doc["results"]
    rows = []

    def per_target(fn):
        out = {}
        for t in ("gateway", "nchan", "baseline"):
            try:
                v = fn(t)
            except (KeyError, TypeError, IndexError, ZeroDivisionError):
                v = None
            if v is not None:
                out[t] = v
        return out

    rows.append(("idle: RSS per stream (KiB)",
                 per_target(lambda t: r[t]["idle"]["memory"]["per_stream_bytes"] / 1024), "≤ 0.5× nchan, ≤ 4", True))
    rows.append(("idle: streams opened per second",
                 per_target(lambda t: r[t]["idle"]["streams"]["connect_rate"]), "", False))
    for sc, title in (("broadcast", "broadcast"), ("spread", "spread")):
        rows.append((f"{title}: deliveries/s", per_target(lambda t: step(r, t, sc)["deliveries_per_s"]), "", False))
        rows.append((f"{title}: deliveries per server CPU-s",
                     per_target(lambda t: step(r, t, sc)["deliveries_per_cpu_s"]), "≥ 2× nchan", False))
        rows.append((f"{title}: p50 latency (ms)", per_target(lambda t: step(r, t, sc)["latency_ms"]["p50"]), "", True))
        rows.append((f"{title}: p99 latency (ms)", per_target(lambda t: step(r, t, sc)["latency_ms"]["p99"]),
                     "≤ nchan, < 10", True))
        rows.append((f"{title}: missing / duplicated",
                     per_target(lambda t: f'{step(r, t, sc)["missing"]} / {step(r, t, sc)["duplicated"]}'), "0 / 0", None))
    def best_or_why(t):
        sat = saturation(r, t)
        if sat["best"]:
            return sat["best"]["deliveries_per_s"]
        first = r[t]["saturation"]["steps"][0]
        return (f'none: {first["deliveries_per_s"]:,.0f}/s at the first step had p99 '
                f'{first["latency_ms"]["p99"]:,.0f} ms, {first["missing"]} missing')
    rows.append(("saturation: highest sustained deliveries/s", per_target(best_or_why), "≥ 2× nchan", False))
    rows.append(("saturation: deliveries per server CPU-s there",
                 per_target(lambda t: saturation(r, t)["best"]["deliveries_per_cpu_s"]), "≥ 0.8× baseline", False))
    rows.append(("saturation: side out of CPU at the last step",
                 per_target(lambda t: saturation(r, t)["saturated"] +
                            (" (never fell behind)" if saturation(r, t)["all_sustained"] else "")), "", None))
    rows.append(("storm: all reconnected (s)", per_target(lambda t: r[t]["storm"]["storm"]["all_reopened_s"]), "", True))
    rows.append(("storm: all live again (s)", per_target(lambda t: r[t]["storm"]["storm"]["all_caught_up_s"]), "< 5", True))
    rows.append(("storm: events missed", per_target(lambda t: r[t]["storm"]["storm"]["missed"]), "0", None))
    return rows


def fmt(v):
    if v is None:
        return "–"
    if isinstance(v, str):
        return v
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def ratio(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b:
        return f"{a / b:.2f}×"
    return "–"


def table(doc):
    lines = ["| figure | sse-gateway | nchan | gateway/nchan | baseline | gateway/baseline | goal |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for name, vals, goal, _ in figures(doc):
        g, n, b = vals.get("gateway"), vals.get("nchan"), vals.get("baseline")
        lines.append(f"| {name} | {fmt(g)} | {fmt(n)} | {ratio(g, n)} | {fmt(b)} | {ratio(g, b)} | {goal} |")
    cg = doc.get("callgrind") or []
    if cg:
        per = ", ".join(f'{c["per_delivery"]:,}' for c in cg if c.get("per_delivery"))
        lines.append(f"| callgrind: instructions per delivered event (gateway, runs) | {per} | | | | | steady |")
    m = doc["machine"]
    lines.append("")
    lines.append(f'{m["cores"]} cores ({m["cpu"]}), Linux {m["kernel"]}, nchan {m["nginx_nchan"]}; '
                 f'server pinned to core 0, sse-bench and Redis to core 1; {doc["seconds"]} s in all.')
    return "\n".join(lines)


def gnuplot(script):
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True, capture_output=True)
        return True
    except (OSError, subprocess.CalledProcessError) as e:
        print("bench/run: gnuplot failed:", getattr(e, "stderr", e))
        return False


def chart(path, title, settings, series, style, extra="", prelude=""):
    """One PNG: `series` is [(title, [(x, y), ...])], inlined as gnuplot data blocks."""
    if not series:
        return
    data = prelude + "".join(f"$d{i} << EOD\n" + "".join(f"{x} {y}\n" for x, y in pts) + "EOD\n"
                   for i, (_, pts) in enumerate(series))
    plot = ", ".join(f'$d{i} using 1:2 with {style} lw 2 title "{name}"' for i, (name, _) in enumerate(series))
    gnuplot(f"""set terminal pngcairo size 900,520
set output "{path}"
set title "{title}"
{settings}
set grid
{data}plot {plot}{extra}
""")


def plots(doc, outdir, stamp):
    r = doc["results"]
    cdfs = [(f"{t} {sc}", r[t][sc]["cdf"]) for sc in ("broadcast", "spread") for t in ("gateway", "nchan", "baseline")
            if r.get(t, {}).get(sc, {}).get("cdf")]
    chart(f"{outdir}/{stamp}-latency.png", "publish-to-receive latency, CDF",
          'set logscale x\nset xlabel "latency (ms)"\nset ylabel "fraction of deliveries"\nset key bottom right',
          cdfs, "lines")
    sat = [(t, [(s["rate"] * r[t]["saturation"]["streams"]["open"], s["deliveries_per_s"])
                for s in r[t]["saturation"]["steps"]])
           for t in ("gateway", "nchan", "baseline") if r.get(t, {}).get("saturation", {}).get("steps")]
    chart(f"{outdir}/{stamp}-throughput.png", "deliveries/s against offered deliveries/s (10,000 streams, one channel)",
          'set xlabel "offered (results/s x streams)"\nset ylabel "delivered per second"\nset key top left',
          sat, "linespoints", ', x with lines dt 2 lc rgb "gray" title "offered"')


def written_by(table, plots=None):
    """A writer of one result set: its table to <outdir>/<stamp>.md (returned) and its plots."""
    def write_results(doc, outdir, stamp):
        md = table(doc)
        (outdir / f"{stamp}.md").write_text(md + "\n")
        if plots:
            plots(doc, outdir, stamp)
        return md
    return write_results


write = written_by(table, plots)


def put_readme_block(readme, begin, end, body, after=None, heading=""):
    """Writes `body` between the markers begin/end in the README: in place of the block already
    there, else right after the marker `after`, else at the end (under `heading`, if given)."""
    text = readme.read_text()
    block = f"{begin}\n{body}\n{end}"
    if begin in text and end in text:
        text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    elif after and after in text:
        text = text.replace(after, after + "\n\n" + block, 1)
    else:
        text += "\n" + heading + block + "\n"
    readme.write_text(text)


def update_readme(readme, md, stamp):
    put_readme_block(readme, BEGIN, END,
                     f"Latest run ({stamp}; `bench/results/{stamp}.json`):\n\n{md}\n\n"
                     f"![latency CDF](bench/results/{stamp}-latency.png)\n"
                     f"![throughput](bench/results/{stamp}-throughput.png)", heading="\n## Benchmark\n\n")


WH_BEGIN, WH_END = "<!-- bench-webhooks:begin -->", "<!-- bench-webhooks:end -->"


def webhook_rows(doc):
    """(figure, value, goal) rows of the webhook scenarios that ran."""
    r = doc["results"]
    rows = []
    t = r.get("webhook_throughput")
    if t:
        rows += [
            (f"throughput: deliveries/s ({t['events']:,} events pre-published, {t['in_flight']} in flight)",
             t["deliveries_per_s"], "≥ 5,000"),
            (f"throughput: wrk requests/s (same body and headers, {t['wrk_connections']} connections)",
             t["wrk_requests_per_s"], ""),
            ("throughput: sse-webhookd / wrk", f"{t['ratio_to_wrk']:.2f}×", "≥ 0.5×"),
            ("throughput: Redis CPU per delivery (µs)", t["redis_cpu_us_per_delivery"], "reported"),
            ("throughput: sse-webhookd CPU per delivery (µs)", t["worker_cpu_us_per_delivery"], ""),
            ("throughput: receiver (nginx) CPU per delivery / per wrk request (µs)",
             f'{fmt(t.get("receiver_cpu_us_per_delivery"))} / {fmt(t.get("receiver_cpu_us_per_wrk_request"))}', ""),
            ("throughput: failed deliveries / retries", f"{t['failed']} / {t['retries']}", "0 / 0"),
        ]
    lat = r.get("webhook_latency")
    if lat:
        l = lat["latency_ms"]
        rows += [
            (f"latency at {lat['offered_per_s']:,.0f} events/s: p50 / p99 / max (ms)",
             f"{fmt(l['p50'])} / {fmt(l['p99'])} / {fmt(l['max'])}", "p99 < 20"),
            ("latency: requests received / events published", f"{lat['received']:,} / {lat['published']:,}", "all"),
        ]
    s = r.get("webhook_storm")
    if s:
        rows += [
            (f"storm ({s['outage_s']} s of 503 at {s['rate']:,}/s): distinct events delivered / published",
             f"{s['delivered_distinct']:,} / {s['published']:,}", "all"),
            ("storm: backlog drained after the receiver is back (s)", s["drain_s"], ""),
            ("storm: drain rate (deliveries/s)", s["drain_per_s"], "≥ throughput"),
            ("storm: sse-webhookd peak RSS (MiB)", s["peak_rss_kib"] / 1024, "bounded"),
            ("storm: max sse_webhook_in_flight (every 100 ms) / --max-in-flight",
             f"{s['peak_in_flight']} / {s['in_flight_cap']}", "≤ cap"),
        ]
    return rows


def webhook_table(doc):
    lines = ["| figure | sse-webhookd | goal |", "|---|---:|---|"]
    for name, v, goal in webhook_rows(doc):
        lines.append(f"| {name} | {fmt(v)} | {goal} |")
    m = doc["machine"]
    lb = doc.get("load_before")
    s = doc["results"].get("webhook_storm")
    lines.append("")
    lines.append(f'{m["cores"]} cores ({m["cpu"]}), Linux {m["kernel"]}; sse-webhookd pinned to core 0 (and wrk, '
                 f'after it), Redis and the nginx receiver (HTTPS, keep-alive, `return 200`) to core 1; '
                 + (f"load average before {lb[0]:.2f}; " if lb else "") + f'{doc["seconds"]} s in all.'
                 + (f" Storm: `--retry-schedule {s['retry_schedule']}` (shortened) and the 503s carry `Retry-After`"
                    " with the outage's end as an HTTP-date, so the backlog is due at once when the receiver is back."
                    if s else ""))
    return "\n".join(lines)


def webhook_plots(doc, outdir, stamp):
    r = doc["results"]
    s = r.get("webhook_storm")
    if s and s.get("timeline"):
        tl = s["timeline"]
        rate, fails = [], []
        step = tl[::5]  # samples every ~100 ms; rates over ~0.5 s
        for a, b in zip(step, step[1:]):
            dt = b[0] - a[0]
            if dt > 0:
                rate.append((b[0], (b[1] - a[1]) / dt))
                fails.append((b[0], (b[2] - a[2]) / dt))
        inflight = [(row[0], row[3]) for row in tl]
        chart(f"{outdir}/{stamp}.png",
              f"webhook storm: {s['outage_s']} s of 503 at {s['rate']}/s, then 200 (one sse-webhookd, one core)",
              f'set xlabel "seconds"\nset ylabel "per second"\nset y2label "in flight"\nset y2tics\nset ytics nomirror\n'
              f'set key top left\nset arrow from {s["down_at_s"]},graph 0 to {s["down_at_s"]},graph 1 nohead dt 2\n'
              f'set arrow from {s["up_at_s"]},graph 0 to {s["up_at_s"]},graph 1 nohead dt 2',
              [("successful deliveries/s", rate), ("failed attempts/s", fails)], "lines",
              ", $inflight using 1:2 axes x1y2 with lines lw 1 title \"in flight (right)\"",
              prelude="$inflight << EOD\n" + "".join(f"{x} {y}\n" for x, y in inflight) + "EOD\n")


write_webhooks = written_by(webhook_table, webhook_plots)


def update_readme_webhooks(readme, md, stamp):
    put_readme_block(readme, WH_BEGIN, WH_END,
                     f"Webhook delivery, latest run ({stamp}; `bench/results/{stamp}.json`):\n\n{md}\n\n"
                     f"![webhook storm](bench/results/{stamp}.png)", after=END)


LOG_BEGIN, LOG_END = "<!-- bench-webhook-log:begin -->", "<!-- bench-webhook-log:end -->"
RECORDS_30_DAYS = 30 * 86400 * 10  # one user's records in 30 days at 10 events/s


def webhook_log_table(doc):
    """The delivery log scenario: a summary, then p50 / p99 / max per filter combination and page."""
    r = doc["results"]["webhook_log"]
    m, st = r["memory"], r["statuses"]
    deep = r["deep_page"]
    first = [c for c in r["cases"] if c["page"] == 1]
    later = [c for c in r["cases"] if c["page"] == deep]
    worst = r["worst_case"]

    def where(c):
        return f'{c["status"]} / {c["deviceId"]} / {c["sceneId"]} / {c["dates"]}, page {c["page"]}'
    lines = ["| figure | value | goal |", "|---|---:|---|",
             f'| records of one user (success / failed / pending), from events | {r["records"]:,} '
             f'({st["success"]:,} / {st["failed"]:,} / {st["pending"]:,}) from {r["events"]:,} | 100,000 |',
             f'| in the index (`webhook:idx:<user>:<status>:*:*`): success / failed / pending | '
             f'{r["index_counts"]["success"]:,} / {r["index_counts"]["failed"]:,} / {r["index_counts"]["pending"]:,} '
             f'| as made |',
             f'| seeding through publish → sse-webhookd → receiver (s; records/s) | '
             f'{fmt(r["seed_seconds"])}; {fmt(r["seed_records_per_s"])} | reported |',
             f'| list, limit={r["limit"]}: worst p99 of {len(r["cases"])} cases (ms) | {fmt(r["worst_p99_ms"])} '
             f'({where(worst)}) | < {r["goal_p99_ms"]:g} |',
             f'| list: worst p99 on page 1 / on page {deep} (ms) | {fmt(max(c["ms"]["p99"] for c in first))} / '
             f'{fmt(max(c["ms"]["p99"] for c in later))} | < {r["goal_p99_ms"]:g} |',
             f'| list: worst p50 (ms); largest answer (KiB) | {fmt(max(c["ms"]["p50"] for c in r["cases"]))}; '
             f'{fmt(max(c["response_bytes"] for c in r["cases"]) / 1024)} | |',
             f'| list: sse-gateway / Redis CPU per request, all cases (µs) | '
             f'{fmt(r["gateway_cpu_us_per_request"])} / {fmt(r["redis_cpu_us_per_request"])} | |',
             f'| list: totalRecords equal to the records made, every case | {"yes" if r["totals_match"] else "NO"} '
             f'| yes |',
             f'| Redis bytes per record: attempt + delivery share + index = total | '
             f'{fmt(m["attempt_bytes_per_record"])} + {fmt(m["delivery_bytes_per_record"])} + '
             f'{fmt(m["index_bytes_per_record"])} = {fmt(m["bytes_per_record"])} | reported |',
             f'| attempt hash by status: ' + " / ".join(m["attempt_bytes_by_status"]) + ' (bytes) | '
             + " / ".join(fmt(v) for v in m["attempt_bytes_by_status"].values()) + ' | |',
             f'| listpack-encoded: attempt hashes / delivery hashes (of the first 1,000) | '
             f'{m["attempt_listpacks"]:,} of {m["attempt_keys"]:,} / {m["delivery_listpacks_of_first_1000"]:,} | |',
             f'| 30 days at 10 events/s, one user: {RECORDS_30_DAYS:,} records (GiB) | '
             f'{fmt(m["gib_30_days_10_per_s"])} | reported |',
             f'| cross-check: used_memory growth per record (bytes; 30 days, GiB) | '
             f'{fmt(m["used_memory_growth_per_record"])}; {fmt(m["gib_30_days_10_per_s_used_memory"])} | |',
             "",
             f"| status / deviceId / sceneId / dates | totalRecords | page 1: p50 / p99 / max (ms) | "
             f"page {deep}: rows | page {deep}: p50 / p99 / max (ms) |",
             "|---|---:|---:|---:|---:|"]
    for a, b in zip(first, later):
        lines.append(f'| {a["status"]} / {a["deviceId"]} / {a["sceneId"]} / {a["dates"]} | {a["totalRecords"]:,} | '
                     f'{fmt(a["ms"]["p50"])} / {fmt(a["ms"]["p99"])} / {fmt(a["ms"]["max"])} | {b["rows"]} | '
                     f'{fmt(b["ms"]["p50"])} / {fmt(b["ms"]["p99"])} / {fmt(b["ms"]["max"])} |')
    mc = doc["machine"]
    lb, la = doc.get("load_before"), r.get("load_after")
    lines.append("")
    lines.append(
        f'{mc["cores"]} cores ({mc["cpu"]}), Linux {mc["kernel"]}; sse-gateway (`--threads 1`) and, while seeding, '
        f'sse-webhookd pinned to core 0; Redis, the nginx receiver and the client (one keep-alive connection, '
        f'{r["requests_per_case"]} rounds over all {len(r["cases"])} cases after one unmeasured round) on core 1; '
        f'bodies of {m["payload_bytes"]} bytes; the dated cases ask startDate={r["start_date"]} '
        f'endDate={r["end_date"]}, which holds every record (createdAt is the plan\'s Redis TIME: all made during '
        f'the seeding); page {deep} has data only where totalRecords > {(deep - 1) * r["limit"]:,}; '
        + (f"load average {lb[0]:.2f} before, {la[0]:.2f} after; " if lb and la else "")
        + f'{doc["seconds"]} s in all.')
    return "\n".join(lines)


write_webhook_log = written_by(webhook_log_table)


def update_readme_webhook_log(readme, md, stamp):
    put_readme_block(readme, LOG_BEGIN, LOG_END,
                     f"Delivery log, latest run ({stamp}; `bench/results/{stamp}.json`):\n\n{md}", after=WH_END)


SCALE_BEGIN, SCALE_END = "<!-- bench-scale:begin -->", "<!-- bench-scale:end -->"


def figure_values(at, fn, n):
    """One figure at `n` streams for the gateway and nchan: fn of each one's step, None where it
    did not run or lacks the value."""
    vals = {}
    for t in ("gateway", "nchan"):
        x = at(t, n)
        try:
            vals[t] = fn(x) if x else None
        except (KeyError, TypeError):
            vals[t] = None
    return vals


def scale_rows(doc):
    """(figure, streams, {target: value}) per figure and step of the scale scenarios."""
    r = doc["results"]
    steps = sorted({row["streams"] for rows in r.values() for row in rows})

    def at(t, n):
        return next((row for row in r.get(t, []) if row["streams"] == n), None)

    def v(x, key, scale=1.0):
        # A figure marked invalid in the JSON (by hand, with a note saying why) is shown as "–".
        return None if key in x.get("invalid", []) or x.get(key) is None else x[key] * scale

    figures = [
        ("streams open / failed", lambda x: f'{x["open"]:,} / {x["failed"]:,}'),
        ("connect rate (streams opened/s)", lambda x: v(x, "connect_rate")),
        ("RSS per idle stream (KiB)", lambda x: v(x, "rss_per_stream_bytes", 1 / 1024)),
        ("kernel Slab per stream, both ends (KiB)", lambda x: v(x, "slab_per_stream_bytes", 1 / 1024)),
        ("kernel SUnreclaim per stream, both ends (KiB)", lambda x: v(x, "sunreclaim_per_stream_bytes", 1 / 1024)),
        ("broadcast 1/s: deliveries/s", lambda x: v(x, "deliveries_per_s")),
        ("broadcast: server CPU per delivery (µs)", lambda x: v(x, "cpu_us_per_delivery")),
        ("broadcast: p50 latency (ms)", lambda x: x["latency_ms"]["p50"]),
        ("broadcast: p99 latency (ms)", lambda x: x["latency_ms"]["p99"]),
        ("broadcast: max latency (ms)", lambda x: x["latency_ms"]["max"]),
        ("broadcast: missing / duplicated", lambda x: f'{x["missing"]:,} / {x["duplicated"]:,}'),
    ]
    return [(name, n, figure_values(at, fn, n)) for name, fn in figures for n in steps]


def scale_table(doc):
    lines = ["| figure | streams | sse-gateway | nchan | gateway/nchan |", "|---|---:|---:|---:|---:|"]
    for name, n, v in scale_rows(doc):
        g, c = v.get("gateway"), v.get("nchan")
        lines.append(f"| {name} | {n:,} | {fmt(g)} | {fmt(c)} | {ratio(g, c)} |")
    m, p = doc["machine"], doc["scenarios"]
    lb, la = doc.get("load_before"), p.get("load_after")
    lim = doc.get("descriptor_limit", {})
    lines.append("")
    lines.append(
        f'{m["cores"]} cores ({m["cpu"]}), Linux {m["kernel"]}, nchan {m["nginx_nchan"]}; one server at a time, '
        f'fresh for each step, pinned to core 0 (sse-gateway `--threads 1`; nginx: one worker, RSS and CPU of '
        f'master + worker), sse-bench and Redis on core 1; sse-bench\'s streams from '
        + (f'{len(p["sources"])} source addresses ({", ".join(p["sources"])})' if p.get("sources")
           else "one source address (127.0.0.1)")
        + f'; all streams on one device; RSS after {p["settle_s"]} s '
        f'idle; broadcast {p["rate"]} result/s for {p["duration_s"]} s; kernel memory is machine-wide /proc/meminfo '
        f'before the opens and once they are open, over the streams, and holds both ends (client and server '
        f'sockets are on this box); descriptor limit {lim.get("hard", "?"):,}'
        + (f'; skipped (do not fit): {", ".join(f"{n:,}" for n in p["skipped_steps"])}' if p.get("skipped_steps") else "")
        + (f"; load average {lb[0]:.2f} before, {la[0]:.2f} after" if lb and la else "")
        + f'; {doc["seconds"]} s in all.')
    for note in doc.get("notes", []):  # written into the JSON after the run, by hand, when a figure needs one
        lines += ["", f"Note: {note}"]
    return "\n".join(lines)


def scale_plots(doc, outdir, stamp):
    r = doc["results"]

    def series(key, scale_by=1.0):
        out = []
        for t in ("gateway", "nchan"):
            pts = [(row["streams"], row[key] * scale_by) for row in r.get(t, [])
                   if row.get(key) is not None and key not in row.get("invalid", [])]
            if pts:
                out.append((t, pts))
        return out

    mem = [(f"{t}: RSS", pts) for t, pts in series("rss_per_stream_bytes", 1 / 1024)] + \
          [(f"{t}: kernel Slab (both ends)", pts) for t, pts in series("slab_per_stream_bytes", 1 / 1024)]
    chart(f"{outdir}/{stamp}-memory.png", "memory per idle stream against streams (one instance, one core)",
          'set xlabel "streams"\nset ylabel "KiB per stream"\nset yrange [0:*]\nset key top left',
          mem, "linespoints")
    chart(f"{outdir}/{stamp}-cpu.png", "server CPU per delivery against streams (broadcast, 1 result/s)",
          'set xlabel "streams"\nset ylabel "µs of server CPU per delivery"\nset yrange [0:*]\nset key bottom right',
          [(t, pts) for t, pts in series("cpu_us_per_delivery")], "linespoints")


write_scale = written_by(scale_table, scale_plots)


def update_readme_scale(readme, md, stamp):
    put_readme_block(readme, SCALE_BEGIN, SCALE_END,
                     f"The final figures come with a full `bench/run --scale` on a quiet machine. Latest run "
                     f"({stamp}; `bench/results/{stamp}.json`), indicative only if the load average in its note is "
                     f"high:\n\n{md}\n\n"
                     f"![memory per stream](bench/results/{stamp}-memory.png)\n"
                     f"![CPU per delivery](bench/results/{stamp}-cpu.png)", after=LOG_END)


def scale_box_table(doc):
    """The multi-instance steps: per scenario, one row per figure and step, gateway against nchan."""
    parts = [scale_box_rows(doc["results"]["broadcast"], "broadcast 1/s"),
             scale_box_rows(doc["results"]["spread"], "spread", opening=False)]
    m, p = doc["machine"], doc["scenarios"]
    lb, la = doc.get("load_before"), p.get("load_after")
    return "\n\n".join(parts) + "\n\n" + (
        f'{m["cores"]} cores ({m["cpu"]}), Linux {m["kernel"]}, nchan {m["nginx_nchan"]}; up to '
        f'{p["per_instance"]:,} streams per instance: that many sse-gateway `--threads 1` on one Redis, or one '
        f'nginx with that many workers (`reuseport`), all on core 0; as many sse-bench processes on core 1, each '
        f'with its own two source addresses and devices: broadcast, one device per process and one publish per '
        f'process per second; spread, {p["spread_devices"]:,} devices ({p["spread_devices"] // 10:,} users) and '
        f'{p["spread_rate"]:,} results/s shared out; idle CPU over {p["idle_s"]} s with every stream open; the '
        f'latency quantiles are of the processes\' CDFs merged; CPU, RSS and kernel memory read here around '
        f'barriers all sse-bench wait at'
        + (f"; load average {lb[0]:.2f} before, {la[0]:.2f} after" if lb and la else "")
        + f'; {doc["seconds"]} s in all.')


def scale_box_rows(r, title, opening=True):
    steps = sorted({row["streams"] for rows in r.values() for row in rows})

    def at(t, n):
        return next((row for row in r.get(t, []) if row["streams"] == n), None)

    opening_figures = [
        ("instances (gateways; nginx workers)", lambda x: str(x["instances"])),
        ("streams open / failed", lambda x: f'{x["open"]:,} / {x["failed"]:,}'),
        ("connect rate (streams opened/s, all load processes)", lambda x: x["connect_rate"]),
        ("RSS per idle stream, all server processes (KiB)", lambda x: x["rss_per_stream_bytes"] / 1024),
        ("Redis used_memory per stream (bytes)", lambda x: x["redis_used_memory_per_stream_bytes"]),
        ("kernel Slab per stream, both ends (KiB)", lambda x: x["slab_per_stream_bytes"] / 1024),
        ("idle: servers' CPU (ms per s)", lambda x: x["server_cpu_ms_per_s_idle"]),
        ("idle: Redis CPU (ms per s)", lambda x: x["redis_cpu_ms_per_s_idle"]),
    ]
    figures = (opening_figures if opening else []) + [
        (f"{title}: deliveries/s", lambda x: x["deliveries_per_s"]),
        (f"{title}: server CPU per delivery (µs)", lambda x: x["cpu_us_per_delivery"]),
        (f"{title}: Redis CPU / servers' CPU", lambda x: x["redis_cpu_share"]),
        (f"{title}: p50 / p99 / max latency (ms)", lambda x:
         f'{fmt(x["latency_ms"]["p50"])} / {fmt(x["latency_ms"]["p99"])} / {fmt(x["latency_ms"]["max"])}'),
        (f"{title}: missing / duplicated", lambda x: f'{x["missing"]:,} / {x["duplicated"]:,}'),
    ]
    lines = ["| figure | streams | sse-gateway | nchan | gateway/nchan |", "|---|---:|---:|---:|---:|"]
    for name, fn in figures:
        for n in steps:
            vals = figure_values(at, fn, n)
            g, c = vals.get("gateway"), vals.get("nchan")
            lines.append(f"| {name} | {n:,} | {fmt(g)} | {fmt(c)} | {ratio(g, c)} |")
    return "\n".join(lines)


def scale_box_plots(doc, outdir, stamp):
    """Memory per stream and CPU per delivery against streams, on the box (all instances)."""
    r = doc["results"]

    def series(sc, key, scale_by=1.0, label=""):
        out = []
        for t in ("gateway", "nchan"):
            pts = [(row["streams"], row[key] * scale_by) for row in r[sc].get(t, []) if row.get(key) is not None]
            if pts:
                out.append((f"{t}{label}", pts))
        return out

    chart(f"{outdir}/{stamp}-memory.png", "memory per idle stream against streams (all instances on the box)",
          'set xlabel "streams"\nset ylabel "KiB per stream"\nset yrange [0:*]\nset key top left',
          series("broadcast", "rss_per_stream_bytes", 1 / 1024, ": RSS")
          + series("broadcast", "slab_per_stream_bytes", 1 / 1024, ": kernel Slab (both ends)"), "linespoints")
    chart(f"{outdir}/{stamp}-cpu.png", "server CPU per delivery against streams (all instances on the box)",
          'set xlabel "streams"\nset ylabel "µs of server CPU per delivery"\nset yrange [0:*]\nset key top right',
          series("broadcast", "cpu_us_per_delivery", label=": broadcast 1/s")
          + series("spread", "cpu_us_per_delivery", label=": spread"), "linespoints")


write_scale_box = written_by(scale_box_table, scale_box_plots)


BOX_BEGIN, BOX_END = "<!-- bench-scale-box:begin -->", "<!-- bench-scale-box:end -->"


def update_readme_scale_box(readme, md, stamp):
    put_readme_block(readme, BOX_BEGIN, BOX_END,
                     f"Scale on the box, latest run ({stamp}; `bench/results/{stamp}.json`):\n\n{md}\n\n"
                     f"![memory per stream](bench/results/{stamp}-memory.png)\n"
                     f"![CPU per delivery](bench/results/{stamp}-cpu.png)", after=SCALE_END)
