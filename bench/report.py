#!/usr/bin/env python3
"""Turns the JSON lines of one bench/run.sh run into the Markdown results page.

Targets are ratios to baselines measured in the same run (issue #7), so the shared machine's
noise cancels as far as it can. --smoke only checks that every workload answered.
"""
import argparse
import datetime
import json
import os
import platform
import sys


def load(path):
    runs, baselines = {}, {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            row = json.loads(line)
            if "baseline" in row:
                baselines[row["baseline"]] = row
            else:
                runs[row["workload"]] = row
    return runs, baselines


def fmt(v, digits=0):
    if v is None:
        return "n/a"
    if digits == 0 and 0 < abs(v) < 100 and v != int(v):
        digits = 1  # slow workloads (reports) run at a few calls per second
    return f"{v:,.{digits}f}"


def errors(run):
    e = run.get("errors") or {}
    return ", ".join(f"{k} {v}" for k, v in e.items()) or "none"


def header(args, title, command):
    now = datetime.datetime.now(datetime.timezone.utc)
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return [f"# {title}, {now:%Y-%m-%d %H:%M} UTC\n",
            f"Commit `{args.commit}` · {os.cpu_count()} cores ({cpu}) · {platform.system()} "
            f"{platform.release()} · load average (1/5/15 min) **{args.load[0]}** at the start, "
            f"**{args.load[1]}** at the end.\n",
            "The machine is shared and may be busy with other work (see the load averages), "
            "so absolute figures are noisy; the targets are ratios to baselines measured in the same run. "
            f"Reproduce with `{command}` (see README).\n"]


def workload_table(runs):
    out = ["| workload | C | calls/s | p50 ms | p99 ms | p99.9 ms | errors | server CPU cores "
           "| server CPU µs/call | server RSS MiB |\n|---|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
    for name, r in runs.items():
        out.append(f"| {name} | {r['concurrency']} | {fmt(r['calls_per_second'])} | "
                   f"{r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['p999_ms']:.2f} | {errors(r)} | "
                   f"{r['server_cpu_cores']:.2f} | {fmt(r['server_cpu_us_per_call'])} | "
                   f"{fmt(r['server_rss_mib'])} |")
    return out


def cluster_report(runs, base, args):
    """bench/cluster.sh: one and two servers on the 3-node cluster against pgbench on the same
    cluster and against the embedded RocksDB, same run."""
    out = header(args, "Branchline on a 3-node PostgreSQL cluster", "bench/cluster.sh")
    pg = base.get("postgresql-cluster", {})
    out.append("## Targets\n")
    out.append("| target | measured | limit | met |\n|---|---|---|---|")
    tps = pg.get("tps")
    for name, label in (("checkin", "CheckIn"), ("study", "RecordStudy")):
        on_cluster = runs.get(f"cluster {name}")
        if tps and on_cluster:
            r = on_cluster["calls_per_second"] / tps
            out.append(f"| {label} on the cluster ÷ pgbench inserts/s on the cluster | {r:.2f} "
                       f"({fmt(on_cluster['calls_per_second'])} ÷ {fmt(tps)}) | ≥ 0.7 | "
                       f"{'yes' if r >= 0.7 else '**no**'} |")
    for name in ("checkin", "study", "morning"):
        on_cluster, embedded = runs.get(f"cluster {name}"), runs.get(name)
        if on_cluster and embedded and embedded["calls_per_second"]:
            r = on_cluster["calls_per_second"] / embedded["calls_per_second"]
            out.append(f"| {name}: cluster ÷ embedded RocksDB (for information) | {r:.2f} | | |")
        two = runs.get(f"cluster2 {name}")
        if two and on_cluster and on_cluster["calls_per_second"]:
            r = two["calls_per_second"] / on_cluster["calls_per_second"]
            out.append(f"| {name}: two servers ÷ one server on the cluster (for information) | "
                       f"{r:.2f} | | |")
    out.append("\n## Workloads\n")
    out.extend(workload_table(runs))
    if pg:
        out.append(f"\n- Baseline: pgbench on the same cluster (strict synchronous replication, "
                   f"{pg['clients']} clients, one `INSERT` with a `gen_random_uuid()` primary key "
                   f"per transaction): **{fmt(pg['tps'])} inserts/s**, average latency "
                   f"{pg['latency_average_ms']} ms, p99 {pg['p99_ms']:.2f} ms.")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--load", nargs=2, default=["?", "?"])
    ap.add_argument("--commit", default="unknown")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--cluster", action="store_true", help="the rows of bench/cluster.sh")
    args = ap.parse_args()
    runs, base = load(args.results)
    if args.cluster:
        print("\n".join(cluster_report(runs, base, args)))
        return

    expected = ["echo", "checkin", "study", "letter", "upcoming", "pull", "morning", "roster",
                "report"]
    missing = [w for w in expected if w not in runs or runs[w]["ok"] == 0]
    if args.smoke:
        if missing:
            sys.exit(f"smoke: no successful calls for {missing}")
        return

    echo, checkin = runs.get("echo"), runs.get("checkin")
    rocks = base.get("rocksdb", {}).get("ops_per_second")
    pg = base.get("postgresql", {}).get("tps")
    scale = base.get("scale", {})
    targets = []

    def target(name, measured, limit, ok):
        targets.append((name, measured, limit, "yes" if ok else f"**no**"))

    if echo and checkin:
        r = checkin["calls_per_second"] / echo["calls_per_second"]
        target("CheckIn calls/s ÷ echo calls/s", f"{r:.2f} ({fmt(checkin['calls_per_second'])} ÷ "
               f"{fmt(echo['calls_per_second'])})", "≥ 0.5", r >= 0.5)
    if rocks and checkin:
        r = checkin["calls_per_second"] / rocks
        target("CheckIn calls/s ÷ RocksDB synced writes/s", f"{r:.2f} ({fmt(checkin['calls_per_second'])}"
               f" ÷ {fmt(rocks)})", "≥ 0.7", r >= 0.7)
    if pg and checkin:
        r = checkin["calls_per_second"] / pg
        target("CheckIn calls/s ÷ PostgreSQL inserts/s", f"{r:.2f} ({fmt(checkin['calls_per_second'])}"
               f" ÷ {fmt(pg)})", "≥ 1.5", r >= 1.5)
    if echo and checkin:
        r = checkin["p99_ms"] / echo["p99_ms"] if echo["p99_ms"] else float("inf")
        target("CheckIn p99 ÷ echo p99", f"{r:.2f} ({checkin['p99_ms']:.2f} ms ÷ "
               f"{echo['p99_ms']:.2f} ms)", "≤ 2", r <= 2)
    if "roster" in runs:
        p = runs["roster"]["p99_ms"]
        target("Roster of a 10,000-person meeting (first page of 1,000), p99", f"{p:.1f} ms",
               "≤ 50 ms", p <= 50)
    scale_report = runs.get("scale report (whole organisation)")
    if scale_report:
        p = scale_report["p99_ms"]
        target(f"Quarterly report over {fmt(scale.get('people'))} people, p99", f"{p:.0f} ms",
               "≤ 1,000 ms", p <= 1000)
    if "upcoming" in runs:
        p = runs["upcoming"]["p99_ms"]
        target("My upcoming meetings p99 at 64 concurrent calls", f"{p:.1f} ms", "≤ 5 ms", p <= 5)
        if echo and echo["p99_ms"]:
            r = p / echo["p99_ms"]
            target("My upcoming meetings p99 ÷ echo p99", f"{r:.2f} ({p:.2f} ms ÷ "
                   f"{echo['p99_ms']:.2f} ms)", "≤ 2", r <= 2)
    # Issue #23: the server's CPU per write, and the other writes' cost against a check-in's.
    if checkin:
        us = checkin["server_cpu_us_per_call"]
        # No CPU read (no live server process given) is a missing figure, never a target met.
        target("Server CPU per check-in", f"{us:.0f} µs" if us > 0 else "not measured",
               "≤ 45 µs", 0 < us <= 45)
        # The same target against this run's machine: issue #23 set 45 µs when a bare echo cost
        # 19 µs of server CPU, so 45 ÷ 19 = 2.37 echoes.
        if echo and echo["server_cpu_us_per_call"] > 0 and us > 0:
            r = us / echo["server_cpu_us_per_call"]
            target("Server CPU per check-in ÷ echo's", f"{r:.2f} ({us:.0f} µs ÷ "
                   f"{echo['server_cpu_us_per_call']:.1f} µs)", "≤ 2.37 (45 µs ÷ 19 µs)",
                   r <= 45 / 19)
        for name, label in (("study", "RecordStudy"), ("letter", "SubmitLetter")):
            if name in runs and us > 0:
                r = runs[name]["server_cpu_us_per_call"] / us
                target(f"{label} server CPU ÷ CheckIn's", f"{r:.2f} "
                       f"({runs[name]['server_cpu_us_per_call']:.0f} µs ÷ {us:.0f} µs)", "≤ 1.2",
                       r <= 1.2)
    if scale:
        b = scale["bytes_per_check_in"]
        target("Bytes on disk per check-in (compacted)", f"{b:.0f} B", "≤ 150 B", b <= 150)
        rss = max(scale["rss_open_mib"], scale["rss_after_mib"])
        target(f"Server RSS with {fmt(scale['records'])} records", f"{rss:.0f} MiB",
               "≤ 300 MiB (at 10 M records)", rss <= 300)
        target(f"Open time with {fmt(scale['records'])} records", f"{scale['open_ms']} ms",
               "≤ 2,000 ms", scale["open_ms"] <= 2000)

    out = header(args, "Branchline benchmark", "bench/run.sh")
    out.append("## Targets\n")
    out.append("| target | measured | limit | met |\n|---|---|---|---|")
    for t in targets:
        out.append("| " + " | ".join(t) + " |")
    if echo:
        out.append(f"\nFor the latency targets, the floor this run's machine allowed: the bare echo "
                   f"server's p99 at {echo['concurrency']} calls was {echo['p99_ms']:.2f} ms "
                   f"(p50 {echo['p50_ms']:.2f} ms).")
    out.append("\n## Workloads\n")
    c = checkin["concurrency"] if checkin else "?"
    out.append(f"Each row: warm-up, then a fixed window; calls/s counts OK answers. `echo` is "
               f"the bare gRPC baseline fed the same check-in requests. C = calls outstanding "
               f"over 4 channels. Server CPU is cores busy on average (of "
               f"{os.cpu_count()}, shared with the load generator).\n")
    out.extend(workload_table(runs))
    out.append("\n## Baselines\n")
    if "rocksdb" in base:
        b = base["rocksdb"]
        out.append(f"- RocksDB 7.8.3 `db_bench --benchmarks=fillrandom --sync=1 --threads={b['threads']}` "
                   f"(24-byte keys, 150-byte values, same disk): **{fmt(b['ops_per_second'])} synced "
                   f"writes/s**, {b['micros_per_op']} µs/op per thread.")
    if "postgresql" in base:
        b = base["postgresql"]
        out.append(f"- PostgreSQL 15 (fsync=on, synchronous_commit=on, loopback TCP), pgbench "
                   f"{b['clients']} clients, one `INSERT` with a `gen_random_uuid()` primary key "
                   f"per transaction: **{fmt(b['tps'])} inserts/s**, average latency "
                   f"{b['latency_average_ms']} ms"
                   + (f", p99 {b['p99_ms']:.2f} ms (from pgbench's per-transaction log)."
                      if "p99_ms" in b else "."))
    if echo:
        out.append(f"- Echo: **{fmt(echo['calls_per_second'])} calls/s**, p99 {echo['p99_ms']:.2f} ms.")
    if scale:
        out.append("\n## Data scale\n")
        out.append(f"Generated through the services' own code (`branchline-bench-datagen`, "
                   f"unsynced commits, a fake clock walking through the months): "
                   f"{fmt(scale['organizations'])} organisations, {fmt(scale['people'])} people, "
                   f"{fmt(scale['meetings'])} meetings, {fmt(scale['check_ins'])} check-ins, "
                   f"{fmt(scale['study_records'])} study records, {fmt(scale['letters'])} letters: "
                   f"**{fmt(scale['records'])} records** in {scale['total_seconds']:.0f} s "
                   f"({fmt(scale['records_per_second'])} records/s).\n")
        out.append("| figure | value |\n|---|---:|")
        out.append(f"| bytes on disk per check-in (SST growth over the check-in phase, compacted; "
                   f"record + indexes + change log + idempotency answer) | {scale['bytes_per_check_in']:.0f} |")
        out.append(f"| database SST files | {scale['sst_bytes'] / 2**20:.1f} MiB |")
        out.append(f"| data directory | {scale['dir_bytes'] / 2**20:.1f} MiB |")
        out.append(f"| server start to listening (open) | {scale['open_ms']} ms |")
        out.append(f"| server RSS after open | {scale['rss_open_mib']:.0f} MiB |")
        out.append(f"| server RSS after the reports and 64-caller runs | {scale['rss_after_mib']:.0f} MiB |")
        if scale.get("records", 0) < 10_000_000:
            out.append(f"\nScaled down from the issue's 10 million records to "
                       f"{fmt(scale['records'])} to fit the 15-minute budget on this machine.")
    print("\n".join(out))


if __name__ == "__main__":
    main()
